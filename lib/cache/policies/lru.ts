/**
 * LRU (least recently used): evicts the layer requested longest ago.
 * Params: `capacity_gb` (GB, 10^9 bytes). Reference: any OS text; libCacheSim `LRU.c`.
 */
import { IdList, layerCache, type EvictionPolicy } from '../layer-cache.js';
import type { ModelFactory } from '../model.js';

export class Lru implements EvictionPolicy {
  private readonly list: IdList;
  constructor(objects: number) {
    this.list = new IdList(objects);
  }
  hit(layer: number): void {
    this.list.moveToBack(layer);
  }
  inserted(layer: number): void {
    this.list.pushBack(layer);
  }
  victim(): number {
    return this.list.head;
  }
  removed(layer: number): void {
    this.list.remove(layer);
  }
}

export const lru: ModelFactory = (table, args) =>
  layerCache(table, args, 'lru', () => new Lru(table.pools.objects.size));
