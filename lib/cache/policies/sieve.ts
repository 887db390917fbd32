/**
 * SIEVE (Zhang et al., NSDI 2024): one FIFO queue and a hand. A hit only marks the layer visited. To
 * evict, the hand walks from where it last stopped toward newer layers (from the oldest at first, and
 * again after passing the newest), clearing marks, and evicts the first unmarked layer; survivors keep
 * their place in the queue, where CLOCK moves them to its back. New layers enter at the newest end.
 * Params: `capacity_gb`, `admit_max_mb`. Reference: the paper's Algorithm 1; libCacheSim `Sieve.c`.
 */
import { IdList, layerCache, type EvictionPolicy } from '../layer-cache.js';
import type { ModelFactory } from '../model.js';

class Sieve implements EvictionPolicy {
  private readonly queue: IdList;
  private readonly visited: Uint8Array;
  private hand = -1;

  constructor(objects: number) {
    this.queue = new IdList(objects);
    this.visited = new Uint8Array(objects);
  }

  hit(layer: number): void {
    this.visited[layer] = 1;
  }

  inserted(layer: number): void {
    this.visited[layer] = 0;
    this.queue.pushBack(layer);
  }

  victim(): number {
    let at = this.hand >= 0 ? this.hand : this.queue.head;
    while (this.visited[at] === 1) {
      this.visited[at] = 0;
      at = this.queue.after(at);
      if (at < 0) at = this.queue.head;
    }
    this.hand = at;
    return at;
  }

  removed(layer: number): void {
    if (layer === this.hand) this.hand = this.queue.after(layer);
    this.queue.remove(layer);
  }
}

export const sieve: ModelFactory = (table, args) =>
  layerCache(table, args, 'sieve', () => new Sieve(table.pools.objects.size));
