/**
 * FIFO: evicts the layer cached longest ago, whatever its hits: LRU's queue, never reordered on a hit.
 * Params: `capacity_gb` (GB, 10^9 bytes). Reference: libCacheSim `FIFO.c`.
 */
import { layerCache } from '../layer-cache.js';
import type { ModelFactory } from '../model.js';
import { Lru } from './lru.js';

class Fifo extends Lru {
  override hit(): void {}
}

export const fifo: ModelFactory = (table, args) =>
  layerCache(table, args, 'fifo', () => new Fifo(table.pools.objects.size));
