/**
 * GDSF, GreedyDual-Size-Frequency (Cherkasova, HP Labs 1998): each cached layer has the priority
 * L + frequency / size, where the frequency counts its requests since it was cached and L, the inflation,
 * is the priority of the last layer evicted (so layers cached long ago age against new ones). The
 * lowest priority is evicted: small, often requested layers stay, large, rarely requested ones go.
 * Optimizes the object hit ratio (cost 1 per miss). Params: `capacity_gb`, `admit_max_mb`. Reference:
 * the report's GDSF; libCacheSim `GDSF.c`.
 */
import { IdHeap } from '../id-heap.js';
import { layerCache, type EvictionPolicy } from '../layer-cache.js';
import type { ModelFactory } from '../model.js';

class Gdsf implements EvictionPolicy {
  private readonly heap: IdHeap;
  private readonly frequency: Float64Array;
  private readonly sizes: Float64Array;
  private inflation = 0;

  constructor(objects: number) {
    this.heap = new IdHeap(objects);
    this.frequency = new Float64Array(objects);
    this.sizes = new Float64Array(objects);
  }

  hit(layer: number): void {
    this.heap.set(layer, this.inflation + ++this.frequency[layer] / this.sizes[layer]);
  }

  inserted(layer: number, _row: number, bytes: number): void {
    this.sizes[layer] = bytes;
    this.frequency[layer] = 1;
    this.heap.set(layer, this.inflation + 1 / bytes);
  }

  victim(): number {
    return this.heap.peek();
  }

  removed(layer: number): void {
    this.inflation = this.heap.keyOf(layer);
    this.heap.remove(layer);
  }
}

export const gdsf: ModelFactory = (table, args) =>
  layerCache(table, args, 'gdsf', () => new Gdsf(table.pools.objects.size));
