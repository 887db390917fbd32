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
    // One loop per element type, as in reorder.
    const columns: TraceColumns = {
      time: gatherF64(c.time, rows, count),
      size: gatherF64(c.size, rows, count),
      duration: gatherF32(c.duration, rows, count),
      repo: gatherU32(c.repo, rows, count),
      object: gatherU32(c.object, rows, count),
      client: gatherU32(c.client, rows, count),
      agent: gatherU32(c.agent, rows, count),
      status: gatherU16(c.status, rows, count),
      method: gatherU8(c.method, rows, count),
      kind: gatherU8(c.kind, rows, count),
    };
    return new TraceTable(count, columns, this.pools);
  }

  /**
   * Reorders the rows so that new row j is old row `order[j]`, in place: each column is permuted into
   * one scratch buffer (a column's worth, reused by all) and copied back, so the extra memory is 8 bytes
   * a row however many columns, where {@link gather} holds a second table.
   */
  reorder(order: Uint32Array): void {
    const c = this.columns;
    const scratch = new ArrayBuffer(order.length * 8);
    // One loop per element type: a loop shared by every column type runs on generic element access (docs/performance.md).
    permuteF64(c.time, order, new Float64Array(scratch, 0, order.length));
    permuteF64(c.size, order, new Float64Array(scratch, 0, order.length));
    permuteF32(c.duration, order, new Float32Array(scratch, 0, order.length));
    permuteU32(c.repo, order, new Uint32Array(scratch, 0, order.length));
    permuteU32(c.object, order, new Uint32Array(scratch, 0, order.length));
    permuteU32(c.client, order, new Uint32Array(scratch, 0, order.length));
    permuteU32(c.agent, order, new Uint32Array(scratch, 0, order.length));
    permuteU16(c.status, order, new Uint16Array(scratch, 0, order.length));
    permuteU8(c.method, order, new Uint8Array(scratch, 0, order.length));
    permuteU8(c.kind, order, new Uint8Array(scratch, 0, order.length));
  }
}

function gatherF64(column: Float64Array, rows: Uint32Array, count: number): Float64Array {
  const out = new Float64Array(count);
  for (let j = 0; j < count; j++) out[j] = column[rows[j]];
  return out;
}

function gatherF32(column: Float32Array, rows: Uint32Array, count: number): Float32Array {
  const out = new Float32Array(count);
  for (let j = 0; j < count; j++) out[j] = column[rows[j]];
  return out;
}

function gatherU32(column: Uint32Array, rows: Uint32Array, count: number): Uint32Array {
  const out = new Uint32Array(count);
  for (let j = 0; j < count; j++) out[j] = column[rows[j]];
  return out;
}

function gatherU16(column: Uint16Array, rows: Uint32Array, count: number): Uint16Array {
  const out = new Uint16Array(count);
  for (let j = 0; j < count; j++) out[j] = column[rows[j]];
  return out;
}

function gatherU8(column: Uint8Array, rows: Uint32Array, count: number): Uint8Array {
  const out = new Uint8Array(count);
  for (let j = 0; j < count; j++) out[j] = column[rows[j]];
  return out;
}

function permuteF64(column: Float64Array, order: Uint32Array, scratch: Float64Array): void {
  for (let j = 0; j < order.length; j++) scratch[j] = column[order[j]];
  column.set(scratch);
}

function permuteF32(column: Float32Array, order: Uint32Array, scratch: Float32Array): void {
  for (let j = 0; j < order.length; j++) scratch[j] = column[order[j]];
  column.set(scratch);
}

function permuteU32(column: Uint32Array, order: Uint32Array, scratch: Uint32Array): void {
  for (let j = 0; j < order.length; j++) scratch[j] = column[order[j]];
  column.set(scratch);
}

function permuteU16(column: Uint16Array, order: Uint32Array, scratch: Uint16Array): void {
  for (let j = 0; j < order.length; j++) scratch[j] = column[order[j]];
  column.set(scratch);
}

function permuteU8(column: Uint8Array, order: Uint32Array, scratch: Uint8Array): void {
  for (let j = 0; j < order.length; j++) scratch[j] = column[order[j]];
  column.set(scratch);
}

/** Bytes a table's columns take per request. */
export function bytesPerRequest(): number {
  return 8 + 8 + 4 + 4 + 4 + 4 + 4 + 2 + 1 + 1;
}
