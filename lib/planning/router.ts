import { isPushed, type DigestMap } from '../registry/digest-map.js';
import type { TraceTable } from '../trace/table.js';
import { isRead, Op } from '../contract/ops.js';
import { opOf } from './op-of.js';
import type { Segment } from '../contract/replay.js';
import { HashRing } from './hash-ring.js';
import type { RegistrySelection } from '../contract/settings.js';

/** What ReplayRouter.kind holds for a request that is not a read of digest `kind` (>= 0). */
export const ROUTE = {
  PUSH: -1,
  NOT_WARMED: -2,
  WARMUP_FAILED: -3,
  NOT_REPLAYABLE: -4,
  /** Another shard's client. */
  OTHER_SHARD: -5,
} as const;

/** Why a request is not sent, by its ROUTE code (another shard's requests are not this run's). */
export const SKIP_REASONS: Readonly<Record<number, string>> = {
  [ROUTE.NOT_WARMED]: 'not in the warmup map: run drtp warmup first',
  [ROUTE.WARMUP_FAILED]: 'warmup failed for this URI',
  [ROUTE.NOT_REPLAYABLE]: 'not a replayable request',
};
const PUSH = ROUTE.PUSH;

export interface RouterOptions {
  /** Replay speed (due = trace offset / speed); 0 = everything due at once (closed loop). */
  speed: number;
  registries: number;
  selection: RegistrySelection;
  seed: number;
  workers: number;
  /** One actor per traced client, placed by consistent hash (true), or round robin (false). */
  route: boolean;
  /** Rows per segment sent to a worker. */
  segmentRows: number;
  /** Manifest reads go to /manifests/ (warmup pushed image manifests). */
  manifestsAsImages: boolean;
  /** Replay only these clients (a shard); default all. */
  keep?: (client: string) => boolean;
  /** The User-Agent every request carries; default each record's own (`client_info.user_agent: traced`). */
  userAgent?: string;
}

/** What a worker receives: its next segment (null at the end) and the strings and actors it brings. */
export interface SegmentBatch {
  segment: Segment | null;
  /** Strings appended to the worker's string table since its previous batch. */
  strings: string[];
  /** For each of `strings`: the bytes a read of that path must bring (the warmed size), NaN for other strings. */
  warmedSizes: number[];
  /** Client names of the actors added since its previous batch. */
  actorNames: string[];
}

interface WorkerState {
  /** Where the worker's share starts in `shareRows`, and its next row there. */
  start: number;
  cursor: number;
  rows: number;
  actorNames: string[];
  actorsSent: number;
  strings: string[];
  warmedSizes: number[];
  stringsSent: number;
  /**
   * String ids in the worker's table: read paths by a (repository, digest) key, push URIs by a negative
   * (object, repository, kind) key; numbers, so that no string is made per request.
   */
  ids: Map<number, number>;
  /** String ids of the repositories sent to the worker, by their ids in the trace's pool. */
  repoIds: Map<number, number>;
  /** String ids of the user agents sent to the worker, by their ids in the trace's pool (-1: not yet). */
  agentIds: Int32Array;
}

/**
 * The master's view of a replay, in bounded memory: one pass classifies every request (the digest to
 * read, a push, or why it is skipped: 4 bytes a request), a second lists each worker's rows and their
 * actors (8 bytes a sendable request), and each worker's share is cut into segments on demand, in due
 * order, from that list: cutting a segment visits only the worker's own rows, however many workers.
 * Actors: one per traced client, placed on a worker by consistent hash (route), or round robin over as
 * many actors as there are clients, as the original player did.
 */
export class ReplayRouter {
  /** Per request: digest index (>= 0, a read), -1 a push, or a negative skip code. */
  readonly kind: Int32Array;
  readonly digests: string[] = [];
  /**
   * Per digest: the size warmup pushed, the first traced read's (as `warmupItems` picks it): a later read
   * traced with fewer bytes (an interrupted pull) still gets the whole blob.
   */
  private readonly warmedSize: number[] = [];
  readonly warmupFailures = new Map<number, string>();
  readonly sendable: number;
  private readonly workers: WorkerState[];
  private readonly workerOf: Int32Array;
  private readonly localOf: Int32Array;
  /** The sendable rows, worker by worker (each worker's in due order), and each row's actor on its worker. */
  private readonly shareRows: Uint32Array;
  private readonly shareActors: Uint32Array;
  private readonly actorsTotal: number;
  private readonly ring: HashRing | undefined;

  constructor(
    private readonly table: TraceTable,
    map: DigestMap,
    private readonly options: RouterOptions,
  ) {
    const n = table.length;
    this.kind = new Int32Array(n);
    const digestIds = new Map<string, number>();
    const clients = table.pools.clients;
    const keepClient = new Int8Array(clients.size);
    const distinct = new Uint8Array(clients.size);
    let sendable = 0;
    let distinctCount = 0;
    const { method, kind, client, size } = table.columns;
    /** Read URIs by `uriKey`: digest index or skip code; warmup failures by the same key. */
    const resolved = new Map<number, number>();
    const failures = new Map<number, string>();
    /** With a shard: the first read's size of URIs first read by another shard's clients. */
    const firstReadSize = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const c = client[i];
      if (options.keep !== undefined) {
        if (keepClient[c] === 0) keepClient[c] = options.keep(clients.get(c)) ? 1 : -1;
        if (keepClient[c] < 0) {
          this.kind[i] = ROUTE.OTHER_SHARD;
          // Warmup sized each blob by its first read in the whole trace, other shards' included.
          const op = opOf(method[i], kind[i]);
          if (op >= 0 && isRead(op)) {
            const key = this.uriKey(i);
            if (!firstReadSize.has(key)) firstReadSize.set(key, size[i]);
          }
          continue;
        }
      }
      const op = opOf(method[i], kind[i]);
      if (op < 0) {
        this.kind[i] = ROUTE.NOT_REPLAYABLE;
        continue;
      }
      if (isRead(op)) {
        // A trace reads the same URIs over and over: each one is looked up once, by its ids.
        const key = this.uriKey(i);
        let id = resolved.get(key);
        if (id === undefined) {
          const entry = map.get(table.uri(i));
          if (!isPushed(entry)) {
            id = entry === undefined ? ROUTE.NOT_WARMED : ROUTE.WARMUP_FAILED;
            if (entry !== undefined) failures.set(key, entry.failed);
          } else {
            id = digestIds.get(entry);
            if (id === undefined) {
              id = this.digests.length;
              this.digests.push(entry);
              this.warmedSize.push(firstReadSize.get(key) ?? size[i]);
              digestIds.set(entry, id);
            }
          }
          resolved.set(key, id);
        }
        this.kind[i] = id;
        if (id < 0) {
          if (id === ROUTE.WARMUP_FAILED) this.warmupFailures.set(i, failures.get(key) as string);
          continue;
        }
      } else this.kind[i] = PUSH;
      sendable++;
      if (distinct[c] === 0) {
        distinct[c] = 1;
        distinctCount++;
      }
    }
    this.sendable = sendable;
    this.actorsTotal = Math.max(1, distinctCount);
    const keys = options.route ? clients.size : this.actorsTotal;
    this.workerOf = new Int32Array(keys).fill(-1);
    this.localOf = new Int32Array(keys);
    this.ring = options.selection === 'hash' ? new HashRing(options.registries) : undefined;
    this.workers = Array.from({ length: Math.max(1, options.workers) }, () => ({
      start: 0,
      cursor: 0,
      rows: 0,
      actorNames: [],
      actorsSent: 0,
      strings: [],
      warmedSizes: [],
      stringsSent: 0,
      ids: new Map(),
      repoIds: new Map(),
      agentIds: new Int32Array(options.userAgent === undefined ? table.pools.agents.size : 1).fill(-1),
    }));
    // Place every actor and count each worker's rows now, so that empty workers are never started.
    const placement = new HashRing(this.workers.length);
    let nth = 0;
    for (let i = 0; i < n; i++) {
      if (this.kind[i] < PUSH) continue;
      const key = options.route ? client[i] : nth++ % this.actorsTotal;
      if (this.workerOf[key] < 0) {
        const w = options.route ? placement.node(clients.get(key)) : key % this.workers.length;
        this.workerOf[key] = w;
        this.localOf[key] = this.workers[w].actorNames.length;
        this.workers[w].actorNames.push(clients.get(client[i]));
      }
      this.workers[this.workerOf[key]].rows++;
    }
    let start = 0;
    for (const w of this.workers) {
      w.start = w.cursor = start;
      start += w.rows;
    }
    this.shareRows = new Uint32Array(start);
    this.shareActors = new Uint32Array(start);
    const fill = this.workers.map((w) => w.start);
    nth = 0;
    for (let i = 0; i < n; i++) {
      if (this.kind[i] < PUSH) continue;
      const key = options.route ? client[i] : nth++ % this.actorsTotal;
      const at = fill[this.workerOf[key]]++;
      this.shareRows[at] = i;
      this.shareActors[at] = this.localOf[key];
    }
  }

  /** Requests each worker replays (workers with none are not started). */
  rowsOf(worker: number): number {
    return this.workers[worker].rows;
  }

  actorsOf(worker: number): number {
    return this.workers[worker].actorNames.length;
  }

  /** The next segment of `worker`'s share, or a batch with a null segment when it has no more. */
  nextSegment(worker: number): SegmentBatch {
    const w = this.workers[worker];
    const from = w.cursor;
    const to = Math.min(w.start + w.rows, from + Math.max(1, this.options.segmentRows));
    w.cursor = to;
    const batch: SegmentBatch = {
      segment: to === from ? null : this.build(w, this.shareRows.slice(from, to), this.shareActors.slice(from, to)),
      strings: w.strings.slice(w.stringsSent),
      warmedSizes: w.warmedSizes.slice(w.stringsSent),
      actorNames: w.actorNames.slice(w.actorsSent),
    };
    w.stringsSent = w.strings.length;
    w.actorsSent = w.actorNames.length;
    return batch;
  }

  /** The segment of `rows` (table rows, in due order) and `actors` (theirs on the worker), which it keeps. */
  private build(w: WorkerState, rows: Uint32Array, actors: Uint32Array): Segment {
    const m = rows.length;
    const { table, options } = this;
    const seg: Segment = {
      length: m,
      due: new Float64Array(m),
      op: new Uint8Array(m),
      size: new Float64Array(m),
      registry: new Uint8Array(m),
      actor: actors,
      target: new Uint32Array(m),
      repo: new Uint32Array(m),
      agent: new Uint32Array(m),
      rowId: rows,
    };
    /** The id of `value` in the worker's string table, added now (the worker appends it on arrival). */
    const add = (value: string, warmedSize = NaN): number => {
      w.warmedSizes.push(warmedSize);
      return w.strings.push(value) - 1;
    };
    const intern = (key: number, value: string, warmedSize = NaN): number => {
      const id = add(value, warmedSize);
      w.ids.set(key, id);
      return id;
    };
    const { method, kind, repo, size, agent } = table.columns;
    const repos = table.pools.repos;
    const agents = table.pools.agents;
    const fixedAgent = options.userAgent;
    const digests = this.digests.length + 1;
    for (let j = 0; j < m; j++) {
      const i = rows[j];
      const op = opOf(method[i], kind[i]);
      seg.due[j] = options.speed > 0 ? table.offsetMs(i) / options.speed : 0;
      seg.op[j] = op;
      seg.size[j] = size[i];
      const r = repo[i];
      let repoId = w.repoIds.get(r);
      if (repoId === undefined) w.repoIds.set(r, (repoId = add(repos.get(r))));
      seg.repo[j] = repoId;
      const a = fixedAgent === undefined ? agent[i] : 0;
      let agentId = w.agentIds[a];
      if (agentId < 0) w.agentIds[a] = agentId = add(fixedAgent ?? agents.get(a));
      seg.agent[j] = agentId;
      const d = this.kind[i];
      if (d >= 0) {
        // Manifests are read as blobs (warmup pushed them as blobs, as the original did), unless warmup
        // pushed image manifests. Paths are interned by number: no string is made per request.
        const manifest = options.manifestsAsImages && (op === Op.GET_MANIFEST || op === Op.HEAD_MANIFEST);
        const key = (r * digests + d) * 2 + (manifest ? 1 : 0);
        seg.target[j] =
          w.ids.get(key) ??
          intern(key, `/v2/${repos.get(r)}/${manifest ? 'manifests' : 'blobs'}/${this.digests[d]}`, this.warmedSize[d]);
      } else {
        // A push: its trace URI, by its ids (negative keys: apart from the read paths').
        const key = -1 - this.uriKey(i);
        seg.target[j] = w.ids.get(key) ?? intern(key, table.uri(i));
      }
      seg.registry[j] = this.pickRegistry(i, d);
    }
    return seg;
  }

  /** A number that tells request `i`'s trace URI from every other (its object, repository and kind ids). */
  private uriKey(i: number): number {
    const { object, repo, kind } = this.table.columns;
    return (object[i] * this.table.pools.repos.size + repo[i]) * 4 + kind[i];
  }

  private pickRegistry(row: number, digest: number): number {
    const r = this.options.registries;
    if (r <= 1) return 0;
    if (this.options.selection === 'round-robin') return row % r;
    if (this.ring !== undefined) return this.ring.node(digest >= 0 ? this.digests[digest] : this.table.uri(row));
    // Random, but a function of (seed, row): segments can be cut in any order.
    return mix32(this.options.seed ^ Math.imul(row + 1, 0x9e3779b1)) % r;
  }
}

function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
