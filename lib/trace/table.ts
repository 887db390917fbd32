import { KIND_NAMES, Kind, METHOD_NAMES, type Request } from './request.js';
import type { StringPool } from './string-pool.js';

/** The typed-array columns of a TraceTable, one entry per request (40 bytes a request). */
export interface TraceColumns {
  /** Start time, epoch milliseconds (fractions kept). */
  time: Float64Array;
  /** `http.response.written`, bytes. */
  size: Float64Array;
  /** `http.request.duration`, seconds; NaN when absent. */
  duration: Float32Array;
  repo: Uint32Array;
  object: Uint32Array;
  client: Uint32Array;
  /** `http.request.useragent`, interned; 0 is the empty agent (a record without one). */
  agent: Uint32Array;
  status: Uint16Array;
  method: Uint8Array;
  kind: Uint8Array;
}

export const COLUMN_NAMES = [
  'time',
  'size',
  'duration',
  'repo',
  'object',
  'client',
  'agent',
  'status',
  'method',
  'kind',
] as const;
export type ColumnName = (typeof COLUMN_NAMES)[number];

/** The typed-array type of each column, to view raw buffers (a .drtp file, shared memory) as columns. */
export const COLUMN_TYPES: Record<
  ColumnName,
  {
    new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): TraceColumns[ColumnName];
    BYTES_PER_ELEMENT: number;
  }
> = {
  time: Float64Array,
  size: Float64Array,
  duration: Float32Array,
  repo: Uint32Array,
  object: Uint32Array,
  client: Uint32Array,
  agent: Uint32Array,
  status: Uint16Array,
  method: Uint8Array,
  kind: Uint8Array,
};

export const POOL_NAMES = ['repos', 'objects', 'clients', 'agents'] as const;
export type PoolName = (typeof POOL_NAMES)[number];
export type TracePools = Record<PoolName, StringPool>;

/**
 * A trace in columnar form: typed arrays plus interned string pools. Rows are in timestamp order once
 * built by the loader; everything that walks millions of requests reads the columns directly.
 */
export class TraceTable {
  constructor(
    readonly length: number,
    readonly columns: TraceColumns,
    readonly pools: TracePools,
  ) {}

  /** Milliseconds from the table's first request to request `i`. */
  offsetMs(i: number): number {
    return this.length === 0 ? 0 : this.columns.time[i] - this.columns.time[0];
  }

  /** The trace URI of request `i`, as the trace wrote it (without a leading slash). */
  uri(i: number): string {
    const { kind, repo, object } = this.columns;
    const k = kind[i];
    if (k === Kind.OTHER) return this.pools.objects.get(object[i]);
    return `v2/${this.pools.repos.get(repo[i])}/${k === Kind.BLOB ? 'blobs' : 'manifests'}/${this.pools.objects.get(object[i])}`;
  }

  /** Request `i` as an object: for tests, reports and small exports, not for hot loops. */
  request(i: number): Request {
    const c = this.columns;
    const kind = KIND_NAMES[c.kind[i]];
    return {
      offsetMs: this.offsetMs(i),
      method: METHOD_NAMES[c.method[i]],
      kind,
      repo: kind === 'other' ? '' : this.pools.repos.get(c.repo[i]),
      object: this.pools.objects.get(c.object[i]),
      uri: this.uri(i),
      size: c.size[i],
      client: this.pools.clients.get(c.client[i]),
      agent: this.pools.agents.get(c.agent[i]),
      duration: c.duration[i],
      status: c.status[i],
    };
  }

  /** A new table of the rows `rows[0..count)`, in that order, sharing the string pools. */
  gather(rows: Uint32Array, count = rows.length): TraceTable {
    const c = this.columns;
    const columns: TraceColumns = {
      time: gatherF64(c.time, rows, new Float64Array(count)),
      size: gatherF64(c.size, rows, new Float64Array(count)),
      duration: gatherF32(c.duration, rows, new Float32Array(count)),
      repo: gatherU32(c.repo, rows, new Uint32Array(count)),
      object: gatherU32(c.object, rows, new Uint32Array(count)),
      client: gatherU32(c.client, rows, new Uint32Array(count)),
      agent: gatherU32(c.agent, rows, new Uint32Array(count)),
      status: gatherU16(c.status, rows, new Uint16Array(count)),
      method: gatherU8(c.method, rows, new Uint8Array(count)),
      kind: gatherU8(c.kind, rows, new Uint8Array(count)),
    };
    return new TraceTable(count, columns, this.pools);
  }

  /**
   * Reorders the rows so that new row j is old row `order[j]`, in place: each column is gathered into
   * one scratch buffer (a column's worth, reused by all) and copied back, so the extra memory is 8 bytes
   * a row however many columns, where {@link gather} holds a second table.
   */
  reorder(order: Uint32Array): void {
    const c = this.columns;
    const n = order.length;
    const scratch = new ArrayBuffer(n * 8);
    c.time.set(gatherF64(c.time, order, new Float64Array(scratch, 0, n)));
    c.size.set(gatherF64(c.size, order, new Float64Array(scratch, 0, n)));
    c.duration.set(gatherF32(c.duration, order, new Float32Array(scratch, 0, n)));
    c.repo.set(gatherU32(c.repo, order, new Uint32Array(scratch, 0, n)));
    c.object.set(gatherU32(c.object, order, new Uint32Array(scratch, 0, n)));
    c.client.set(gatherU32(c.client, order, new Uint32Array(scratch, 0, n)));
    c.agent.set(gatherU32(c.agent, order, new Uint32Array(scratch, 0, n)));
    c.status.set(gatherU16(c.status, order, new Uint16Array(scratch, 0, n)));
    c.method.set(gatherU8(c.method, order, new Uint8Array(scratch, 0, n)));
    c.kind.set(gatherU8(c.kind, order, new Uint8Array(scratch, 0, n)));
  }
}

// `into[j] = column[rows[j]]` for every j of `into`, one function per element type: a loop shared by
// every column type runs on generic element access (docs/performance.md).

function gatherF64(column: Float64Array, rows: Uint32Array, into: Float64Array): Float64Array {
  for (let j = 0; j < into.length; j++) into[j] = column[rows[j]];
  return into;
}

function gatherF32(column: Float32Array, rows: Uint32Array, into: Float32Array): Float32Array {
  for (let j = 0; j < into.length; j++) into[j] = column[rows[j]];
  return into;
}

function gatherU32(column: Uint32Array, rows: Uint32Array, into: Uint32Array): Uint32Array {
  for (let j = 0; j < into.length; j++) into[j] = column[rows[j]];
  return into;
}

function gatherU16(column: Uint16Array, rows: Uint32Array, into: Uint16Array): Uint16Array {
  for (let j = 0; j < into.length; j++) into[j] = column[rows[j]];
  return into;
}

function gatherU8(column: Uint8Array, rows: Uint32Array, into: Uint8Array): Uint8Array {
  for (let j = 0; j < into.length; j++) into[j] = column[rows[j]];
  return into;
}

/** Bytes a table's columns take per request. */
export function bytesPerRequest(): number {
  return 8 + 8 + 4 + 4 + 4 + 4 + 4 + 2 + 1 + 1;
}
