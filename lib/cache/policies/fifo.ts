/**
 * FIFO: evicts the layer cached longest ago, whatever its hits.
 * Params: `capacity_gb` (GB, 10^9 bytes). Reference: libCacheSim `FIFO.c`.
 */
import { IdList, LayerCache, type EvictionPolicy } from '../layer-cache.js';
import { numberArg, type ModelFactory } from '../model.js';

class Fifo implements EvictionPolicy {
  private readonly list: IdList;
  constructor(objects: number) {
    this.list = new IdList(objects);
  }
  hit(): void {}
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

export const fifo: ModelFactory = (table, args) => new LayerCache(table, numberArg(args, 'capacity_gb', 1, 'fifo') * 1e9, new Fifo(table.pools.objects.size));
