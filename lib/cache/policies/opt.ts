/**
 * OPT (Belady's MIN, the offline bound): evicts the cached layer whose next request is farthest in the
 * future (never requested again: first). Exactly optimal for layers of one size; with sizes it is the
 * usual farthest-next-use heuristic. Params: `capacity_gb`. Reference: Belady 1966; libCacheSim `Belady.c`.
 */
import { Kind } from '../../trace/request.js';
import type { TraceTable } from '../../trace/table.js';
import { IdHeap } from '../id-heap.js';
import { layerCache, type EvictionPolicy } from '../layer-cache.js';
import type { ModelFactory } from '../model.js';

class Opt implements EvictionPolicy {
  private readonly heap: IdHeap;
  /** Row of the next request of the same layer, per row (Infinity: none). */
  private readonly nextUse: Float64Array;

  constructor(table: TraceTable) {
    this.heap = new IdHeap(table.pools.objects.size);
    const { kind, object } = table.columns;
    this.nextUse = new Float64Array(table.length).fill(Infinity);
    const seen = new Float64Array(table.pools.objects.size).fill(Infinity);
    for (let row = table.length - 1; row >= 0; row--) {
      if (kind[row] !== Kind.BLOB) continue;
      this.nextUse[row] = seen[object[row]];
      seen[object[row]] = row;
    }
  }

  // A max-heap on next use, as a min-heap on its negation.
  hit(layer: number, row: number): void {
    this.heap.set(layer, -this.nextUse[row]);
  }
  inserted(layer: number, row: number): void {
    this.heap.set(layer, -this.nextUse[row]);
  }
  victim(): number {
    return this.heap.peek();
  }
  removed(layer: number): void {
    this.heap.remove(layer);
  }
}

export const opt: ModelFactory = (table, args) => layerCache(table, args, 'opt', () => new Opt(table));
