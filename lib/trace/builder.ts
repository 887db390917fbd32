import { ByteInterner } from './interner.js';
import { Kind, type KindCode, type MethodCode } from './request.js';
import type { StringPool } from './string-pool.js';
import { COLUMN_NAMES, TraceTable, type ColumnName, type TraceColumns } from './table.js';

const V2 = [0x76, 0x32, 0x2f]; // "v2/"
const BLOBS = Buffer.from('/blobs/');
const MANIFESTS = Buffer.from('/manifests/');
const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);
const NO_AGENT = 0x7fffffff;

/**
 * Appends requests to growable typed-array columns and interns their ids. It takes the URI as a byte
 * range of the reader's buffer, so a request that repeats known ids allocates nothing.
 */
export class TraceTableBuilder {
  private capacity: number;
  private cols: TraceColumns;
  length = 0;
  readonly repos = new ByteInterner();
  readonly objects = new ByteInterner();
  readonly clients = new ByteInterner();
  /** User agents; id 0 is the empty one, of records that have none. */
  readonly agents = new ByteInterner();
  /** Agents as the file wrote them with JSON escapes, and the id in `agents` of each one decoded. */
  private readonly escapedAgents = new ByteInterner();
  private agentOfEscaped = new Int32Array(64);
  private lastEscaped = 0;
  /** Per client, the raw agent id of its previous record (escaped ones negative), NO_AGENT before it has one. */
  private lastAgent = new Int32Array(64).fill(NO_AGENT);

  constructor(initialCapacity = 1 << 16) {
    this.agents.intern(EMPTY, 0, 0);
    this.capacity = initialCapacity;
    this.cols = {
      time: new Float64Array(initialCapacity),
      size: new Float64Array(initialCapacity),
      duration: new Float32Array(initialCapacity),
      repo: new Uint32Array(initialCapacity),
      object: new Uint32Array(initialCapacity),
      client: new Uint32Array(initialCapacity),
      agent: new Uint32Array(initialCapacity),
      status: new Uint16Array(initialCapacity),
      method: new Uint8Array(initialCapacity),
      kind: new Uint8Array(initialCapacity),
    };
  }

  /**
   * Adds one request whose URI is `uriBuf[uriStart, uriEnd)`, client `clientBuf[clientStart, clientEnd)`
   * and user agent `agentBuf[agentStart, agentEnd)`. A leading `/` of the URI is dropped so that
   * `/v2/...` and `v2/...` name the same object.
   */
  add(
    time: number,
    method: MethodCode,
    uriBuf: Uint8Array,
    uriStart: number,
    uriEnd: number,
    clientBuf: Uint8Array,
    clientStart: number,
    clientEnd: number,
    size: number,
    duration: number,
    status: number,
    agentBuf: Uint8Array = EMPTY,
    agentStart = 0,
    agentEnd = 0,
    agentEscaped = false,
  ): void {
    if (this.length === this.capacity) this.grow();
    const i = this.length++;
    const c = this.cols;
    c.time[i] = time;
    c.method[i] = method;
    c.size[i] = size;
    c.duration[i] = duration;
    c.status[i] = status;
    const client = (c.client[i] = this.clients.intern(clientBuf, clientStart, clientEnd));
    c.agent[i] = agentStart === agentEnd ? 0 : this.agentOf(client, agentBuf, agentStart, agentEnd, agentEscaped);
    if (uriBuf[uriStart] === 0x2f) uriStart++;
    this.classify(i, uriBuf, uriStart, uriEnd);
  }

  /** Same as {@link add}, from strings: for merging tables and for tests. */
  addStrings(
    time: number,
    method: MethodCode,
    uri: string,
    client: string,
    size: number,
    duration: number,
    status: number,
    agent = '',
  ): void {
    const u = encoder.encode(uri);
    const cl = encoder.encode(client);
    const a = encoder.encode(agent);
    this.add(time, method, u, 0, u.length, cl, 0, cl.length, size, duration, status, a, 0, a.length);
  }

  /** Adds a row whose ids are already interned in this builder's pools. */
  addInterned(
    time: number,
    method: MethodCode,
    kind: KindCode,
    repo: number,
    object: number,
    client: number,
    size: number,
    duration: number,
    status: number,
    agent = 0,
  ): void {
    if (this.length === this.capacity) this.grow();
    const i = this.length++;
    const c = this.cols;
    c.time[i] = time;
    c.method[i] = method;
    c.kind[i] = kind;
    c.repo[i] = repo;
    c.object[i] = object;
    c.client[i] = client;
    c.agent[i] = agent;
    c.size[i] = size;
    c.duration[i] = duration;
    c.status[i] = status;
  }

  /**
   * Appends `n` rows of columns whose ids index other pools: `repos`, `objects`, `clients` and `agents`
   * map them to this builder's ids (a kind-other row keeps repo 0).
   */
  appendColumns(
    n: number,
    from: TraceColumns,
    repos: Int32Array,
    objects: Int32Array,
    clients: Int32Array,
    agents: Int32Array,
  ): void {
    if (this.length + n > this.capacity) this.resize(Math.max(this.length + n, this.capacity * 2));
    const at = this.length;
    const c = this.cols;
    c.time.set(from.time.subarray(0, n), at);
    c.size.set(from.size.subarray(0, n), at);
    c.duration.set(from.duration.subarray(0, n), at);
    c.status.set(from.status.subarray(0, n), at);
    c.method.set(from.method.subarray(0, n), at);
    c.kind.set(from.kind.subarray(0, n), at);
    for (let i = 0; i < n; i++) {
      c.repo[at + i] = from.kind[i] === Kind.OTHER ? 0 : repos[from.repo[i]];
      c.object[at + i] = objects[from.object[i]];
      c.client[at + i] = clients[from.client[i]];
      c.agent[at + i] = agents[from.agent[i]];
    }
    this.length += n;
  }

  build(): TraceTable {
    const n = this.length;
    const out = {} as Record<ColumnName, TraceColumns[ColumnName]>;
    // Views, not copies: a copy would double the peak memory of a large trace for a moment.
    for (const name of COLUMN_NAMES) out[name] = this.cols[name].subarray(0, n);
    return new TraceTable(n, out as TraceColumns, {
      repos: this.repos.toPool(),
      objects: this.objects.toPool(),
      clients: this.clients.toPool(),
      agents: this.agents.toPool(),
    });
  }

  /**
   * The agent id of a record of `client`: a client sends the same agent record after record, so the
   * bytes are compared with its previous record's before they are hashed and looked up.
   */
  private agentOf(client: number, buf: Uint8Array, start: number, end: number, escaped: boolean): number {
    if (client >= this.lastAgent.length) {
      const grown = new Int32Array(Math.max(client + 1, this.lastAgent.length * 2)).fill(NO_AGENT);
      grown.set(this.lastAgent);
      this.lastAgent = grown;
    }
    // The raw id as the file wrote it: escaped ones as negative ids of escapedAgents (-1 - id).
    const last = this.lastAgent[client];
    const interner = escaped ? this.escapedAgents : this.agents;
    if (last !== NO_AGENT && last < 0 === escaped && interner.equals(escaped ? -1 - last : last, buf, start, end))
      return escaped ? this.agentOfEscaped[-1 - last] : last;
    const id = escaped ? this.escapedAgent(buf, start, end) : this.agents.intern(buf, start, end);
    this.lastAgent[client] = escaped ? -1 - this.lastEscaped : id;
    return id;
  }

  /** The id of an agent the file wrote with escapes: decoded (JSON's rules) the first time it is seen. */
  private escapedAgent(buf: Uint8Array, start: number, end: number): number {
    const known = this.escapedAgents.size;
    const raw = (this.lastEscaped = this.escapedAgents.intern(buf, start, end));
    if (raw < known) return this.agentOfEscaped[raw];
    if (raw >= this.agentOfEscaped.length) {
      const grown = new Int32Array(this.agentOfEscaped.length * 2);
      grown.set(this.agentOfEscaped);
      this.agentOfEscaped = grown;
    }
    let decoded: Uint8Array;
    try {
      decoded = encoder.encode(JSON.parse(`"${Buffer.from(buf.subarray(start, end)).toString('utf8')}"`) as string);
    } catch {
      decoded = EMPTY; // an agent with a broken escape is left out; the record is kept
    }
    return (this.agentOfEscaped[raw] = decoded.length === 0 ? 0 : this.agents.intern(decoded, 0, decoded.length));
  }

  /** Splits `v2/<repo>/(blobs|manifests)/<object>`; anything else is kind other, object = whole URI. */
  private classify(i: number, buf: Uint8Array, start: number, end: number): void {
    const c = this.cols;
    let kind: KindCode = Kind.OTHER;
    let at = -1;
    if (end - start > 3 && buf[start] === V2[0] && buf[start + 1] === V2[1] && buf[start + 2] === V2[2]) {
      for (let p = start + 3; p < end; p++) {
        if (buf[p] !== 0x2f) continue;
        if (matchAt(buf, p, end, BLOBS)) {
          kind = Kind.BLOB;
          at = p;
          break;
        }
        if (matchAt(buf, p, end, MANIFESTS)) {
          kind = Kind.MANIFEST;
          at = p;
          break;
        }
      }
    }
    c.kind[i] = kind;
    if (kind === Kind.OTHER || at === start + 3) {
      c.kind[i] = Kind.OTHER;
      c.repo[i] = 0;
      c.object[i] = this.objects.intern(buf, start, end);
      return;
    }
    c.repo[i] = this.repos.intern(buf, start + 3, at);
    c.object[i] = this.objects.intern(buf, at + (kind === Kind.BLOB ? BLOBS.length : MANIFESTS.length), end);
  }

  /** Drops the builder's references to its columns, so a table built from it owns them alone. */
  release(): void {
    this.cols = {} as TraceColumns;
    this.capacity = 0;
    this.length = 0;
  }

  /** Makes room for `rows` rows in all, at once: spares the doubling copies when the size is known. */
  reserve(rows: number): void {
    if (rows > this.capacity) this.resize(Math.ceil(rows));
  }

  private grow(): void {
    this.resize(this.capacity * 2);
  }

  private resize(next: number): void {
    for (const name of COLUMN_NAMES) {
      const from = this.cols[name];
      const to = new (from.constructor as new (n: number) => typeof from)(next);
      to.set(from as never);
      (this.cols as unknown as Record<ColumnName, typeof from>)[name] = to;
    }
    this.capacity = next;
  }
}

function matchAt(buf: Uint8Array, p: number, end: number, pattern: Uint8Array): boolean {
  if (p + pattern.length > end) return false;
  for (let k = 0; k < pattern.length; k++) if (buf[p + k] !== pattern[k]) return false;
  return true;
}

/**
 * Appends every row of `table` to `builder`, re-interning its ids (for traces that mix .drtp tables with
 * JSON files, or several tables).
 */
export function appendTable(builder: TraceTableBuilder, table: TraceTable): void {
  const remap = (pool: StringPool, into: ByteInterner): Int32Array => {
    const map = new Int32Array(pool.size);
    for (let id = 0; id < pool.size; id++) map[id] = into.intern(pool.bytes, pool.offsets[id], pool.offsets[id + 1]);
    return map;
  };
  // Each distinct string of the table is interned once; the rows are copied column by column.
  const repos = remap(table.pools.repos, builder.repos);
  const objects = remap(table.pools.objects, builder.objects);
  const clients = remap(table.pools.clients, builder.clients);
  const agents = remap(table.pools.agents, builder.agents);
  builder.appendColumns(table.length, table.columns, repos, objects, clients, agents);
}
