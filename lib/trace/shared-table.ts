import { StringPool } from './string-pool.js';
import {
  COLUMN_NAMES,
  COLUMN_TYPES,
  POOL_NAMES,
  TraceTable,
  type ColumnName,
  type PoolName,
  type TraceColumns,
  type TracePools,
} from './table.js';

/** A TraceTable whose buffers are SharedArrayBuffers: sent to every worker without a copy. */
export interface SharedTable {
  length: number;
  columns: Record<ColumnName, SharedArrayBuffer>;
  pools: Record<PoolName, { bytes: SharedArrayBuffer; offsets: SharedArrayBuffer }>;
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
  for (const name of POOL_NAMES)
    pools[name] = { bytes: share(table.pools[name].bytes), offsets: share(table.pools[name].offsets) };
  return { length: table.length, columns, pools };
}

/** The table over shared buffers (no copy). */
export function openSharedTable(shared: SharedTable): TraceTable {
  const columns = {} as Record<ColumnName, TraceColumns[ColumnName]>;
  for (const name of COLUMN_NAMES) columns[name] = new COLUMN_TYPES[name](shared.columns[name]);
  const pools = {} as TracePools;
  for (const name of POOL_NAMES)
    pools[name] = new StringPool(new Uint8Array(shared.pools[name].bytes), new Uint32Array(shared.pools[name].offsets));
  return new TraceTable(shared.length, columns as TraceColumns, pools);
}
