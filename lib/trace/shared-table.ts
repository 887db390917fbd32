import { StringPool } from './string-pool.js';
import { COLUMN_NAMES, COLUMN_TYPES, TraceTable, type ColumnName, type TraceColumns } from './table.js';

/** A TraceTable whose buffers are SharedArrayBuffers: sent to every worker without a copy. */
export interface SharedTable {
  length: number;
  columns: Record<ColumnName, SharedArrayBuffer>;
  pools: Record<'repos' | 'objects' | 'clients', { bytes: SharedArrayBuffer; offsets: SharedArrayBuffer }>;
}

function share(view: ArrayBufferView): SharedArrayBuffer {
  const shared = new SharedArrayBuffer(view.byteLength);
  new Uint8Array(shared).set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  return shared;
}

/** Copies a table into shared memory once; every simulation worker then reads the same bytes. */
export function shareTable(table: TraceTable): SharedTable {
  const columns = {} as SharedTable['columns'];
  for (const name of COLUMN_NAMES) columns[name] = share(table.columns[name]);
  const pools = {} as SharedTable['pools'];
  for (const name of ['repos', 'objects', 'clients'] as const) pools[name] = { bytes: share(table.pools[name].bytes), offsets: share(table.pools[name].offsets) };
  return { length: table.length, columns, pools };
}

/** The table over shared buffers (no copy). */
export function openSharedTable(shared: SharedTable): TraceTable {
  const columns = {} as Record<ColumnName, TraceColumns[ColumnName]>;
  for (const name of COLUMN_NAMES) columns[name] = new COLUMN_TYPES[name](shared.columns[name]);
  const pool = (p: { bytes: SharedArrayBuffer; offsets: SharedArrayBuffer }): StringPool => new StringPool(new Uint8Array(p.bytes), new Uint32Array(p.offsets));
  return new TraceTable(shared.length, columns as TraceColumns, { repos: pool(shared.pools.repos), objects: pool(shared.pools.objects), clients: pool(shared.pools.clients) });
}
