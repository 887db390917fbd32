/**
 * CLOCK (second chance, Corbató 1968): a FIFO queue with a reference bit per layer, set by a hit. To
 * evict, the oldest layer is looked at: referenced, it loses the bit and goes round again (to the newest
 * end); else it is evicted. Params: `capacity_gb`, `admit_max_mb`. Reference: libCacheSim `Clock.c`
 * (one bit).
 */
import { IdList, layerCache, type EvictionPolicy } from '../layer-cache.js';
import type { ModelFactory } from '../model.js';

class Clock implements EvictionPolicy {
  private readonly queue: IdList;
  private readonly referenced: Uint8Array;

  constructor(objects: number) {
    this.queue = new IdList(objects);
    this.referenced = new Uint8Array(objects);
  }

  hit(layer: number): void {
    this.referenced[layer] = 1;
  }

  inserted(layer: number): void {
    this.referenced[layer] = 0;
    this.queue.pushBack(layer);
  }

  victim(): number {
    for (;;) {
      const oldest = this.queue.head;
      if (this.referenced[oldest] === 0) return oldest;
      this.referenced[oldest] = 0;
      this.queue.moveToBack(oldest);
    }
  }

  removed(layer: number): void {
    this.queue.remove(layer);
  }
}

export const clock: ModelFactory = (table, args) =>
  layerCache(table, args, 'clock', () => new Clock(table.pools.objects.size));
