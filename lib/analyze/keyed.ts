import { ByteInterner } from '../trace/interner.js';
import type { StringPool } from '../trace/string-pool.js';

/**
 * Numbers keyed by strings, the strings kept as UTF-8 bytes: how a partial's per-object, per-repository
 * and per-client figures cross threads and add up, with no JS string or map entry per key. Several
 * figures of one key space share its keys (`values[column][k]` is column's value for key `k`).
 */
export interface KeyedValues {
  /** Key `k` is `bytes[offsets[k], offsets[k + 1])`. */
  bytes: Uint8Array;
  offsets: Uint32Array;
  values: Float64Array[];
}

/** The keys `ids` of `pool`, ascending, with each column's value at each id (`columns` are indexed by id). */
export function keyedFromPool(pool: StringPool, ids: readonly number[], columns: readonly Float64Array[]): KeyedValues {
  const offsets = new Uint32Array(ids.length + 1);
  for (let k = 0; k < ids.length; k++) offsets[k + 1] = offsets[k] + pool.offsets[ids[k] + 1] - pool.offsets[ids[k]];
  const bytes = new Uint8Array(offsets[ids.length]);
  for (let k = 0; k < ids.length; k++)
    bytes.set(pool.bytes.subarray(pool.offsets[ids[k]], pool.offsets[ids[k] + 1]), offsets[k]);
  const values = columns.map((column) => {
    const picked = new Float64Array(ids.length);
    for (let k = 0; k < ids.length; k++) picked[k] = column[ids[k]];
    return picked;
  });
  return { bytes, offsets, values };
}

/** The ids below `size` at which any of `columns` has a value: neither 0 (a count of none) nor NaN (a size never seen). */
export function present(columns: readonly Float64Array[], size: number): number[] {
  const has = new Uint8Array(size);
  for (const column of columns) for (let id = 0; id < size; id++) if (hasValue(column[id])) has[id] = 1;
  const ids: number[] = [];
  for (let id = 0; id < size; id++) if (has[id] === 1) ids.push(id);
  return ids;
}

/** Whether a column holds a value: 0 is a count of none, NaN a size never seen. */
function hasValue(v: number): boolean {
  return v !== 0 && !Number.isNaN(v);
}

/** How a column adds up across partials: `sum` adds counts; `first` keeps the first value a key had. */
export type Combine = 'sum' | 'first';

/**
 * Keyed values of many partials, added up by key: keys are interned as bytes, once for all columns. A
 * partial's keys are distinct, so the first one is kept as it is and interned only when a second comes
 * (an analysis of one file, or one table, interns nothing).
 */
export class KeyedTotals {
  private readonly keys = new ByteInterner();
  private totals: Float64Array[];
  private first: KeyedValues | null = null;

  constructor(private readonly combine: readonly Combine[]) {
    this.totals = combine.map((how) => new Float64Array(1 << 10).fill(how === 'first' ? NaN : 0));
  }

  add(part: KeyedValues): void {
    if (this.first === null && this.keys.size === 0) {
      this.first = part;
      return;
    }
    if (this.first !== null) {
      this.merge(this.first);
      this.first = null;
    }
    this.merge(part);
  }

  private merge(part: KeyedValues): void {
    const n = part.offsets.length - 1;
    const ids = new Int32Array(n);
    for (let k = 0; k < n; k++) ids[k] = this.keys.intern(part.bytes, part.offsets[k], part.offsets[k + 1]);
    if (this.keys.size > this.totals[0].length) this.grow(this.keys.size);
    for (const [c, how] of this.combine.entries()) {
      const into = this.totals[c];
      const from = part.values[c];
      if (how === 'sum') for (let k = 0; k < n; k++) into[ids[k]] += from[k];
      else for (let k = 0; k < n; k++) if (Number.isNaN(into[ids[k]])) into[ids[k]] = from[k];
    }
  }

  /** A column's values, one per key that has one. */
  column(c: number): Float64Array {
    const all = this.first === null ? this.totals[c] : this.first.values[c];
    const size = this.first === null ? this.keys.size : this.first.offsets.length - 1;
    let count = 0;
    for (let id = 0; id < size; id++) if (hasValue(all[id])) count++;
    const out = new Float64Array(count);
    for (let id = 0, k = 0; id < size; id++) if (hasValue(all[id])) out[k++] = all[id];
    return out;
  }

  private grow(atLeast: number): void {
    let length = this.totals[0].length;
    while (length < atLeast) length *= 2;
    this.totals = this.totals.map((column, c) => {
      const next = new Float64Array(length).fill(this.combine[c] === 'first' ? NaN : 0);
      next.set(column);
      return next;
    });
  }
}
