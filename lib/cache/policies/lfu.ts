/**
 * LFU (least frequently used): evicts the cached layer with the fewest requests since it was cached;
 * ties go to the one requested longest ago. Params: `capacity_gb`. Reference: libCacheSim `LFU.c`.
 */
import { IdHeap } from '../id-heap.js';
import { layerCache, type EvictionPolicy } from '../layer-cache.js';
import type { ModelFactory } from '../model.js';

class Lfu implements EvictionPolicy {
  private readonly heap: IdHeap;
  private readonly freq: Uint32Array;
  private clock = 0;

  constructor(objects: number) {
    this.heap = new IdHeap(objects);
    this.freq = new Uint32Array(objects);
  }

  /** Key: frequency first, then recency (a fraction that grows with time, always below 1). */
  private key(layer: number): number {
    return this.freq[layer] + (this.clock++ % 2 ** 40) / 2 ** 40;
  }

  hit(layer: number): void {
    this.freq[layer]++;
    this.heap.set(layer, this.key(layer));
  }
  inserted(layer: number): void {
    this.freq[layer] = 1;
    this.heap.set(layer, this.key(layer));
  }
  victim(): number {
    return this.heap.peek();
  }
  removed(layer: number): void {
    this.heap.remove(layer);
  }
}

export const lfu: ModelFactory = (table, args) =>
  layerCache(table, args, 'lfu', () => new Lfu(table.pools.objects.size));
