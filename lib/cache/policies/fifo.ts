/**
 * FIFO: evicts the layer cached longest ago, whatever its hits: LRU's queue, never reordered on a hit.
 * Params: `capacity_gb` (GB, 10^9 bytes). Reference: libCacheSim `FIFO.c`.
 */
import { LayerCache } from '../layer-cache.js';
import { numberArg, type ModelFactory } from '../model.js';
import { Lru } from './lru.js';

class Fifo extends Lru {
  override hit(): void {}
}

export const fifo: ModelFactory = (table, args) => new LayerCache(table, numberArg(args, 'capacity_gb', 1, 'fifo') * 1e9, new Fifo(table.pools.objects.size));
