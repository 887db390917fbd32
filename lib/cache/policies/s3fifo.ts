/**
 * S3-FIFO (Yang et al., SOSP 2023): a small FIFO (10% of the bytes) that new layers enter, a main FIFO,
 * and a ghost FIFO of ids evicted from the small one. A layer leaving the small FIFO moves to main if it
 * was requested again at least once more (frequency > 1), else it is evicted and remembered as a ghost;
 * a miss on a ghost enters main directly. Main evicts in FIFO order, giving a layer with frequency > 0
 * another round (frequency - 1). Frequencies saturate at 3. Params: `capacity_gb`, `small_ratio` (0.1).
 * Reference: the paper's Algorithm 1; libCacheSim `S3FIFO.c`.
 */
import type { TraceTable } from '../../trace/table.js';
import { GhostQueue } from '../ghost-queue.js';
import { IdList, layerCache, type EvictionPolicy } from '../layer-cache.js';
import { numberArg, type ModelFactory } from '../model.js';

const SMALL = 1;
const MAIN = 2;

class S3Fifo implements EvictionPolicy {
  private readonly small: IdList;
  private readonly main: IdList;
  private readonly ghost: GhostQueue;
  private readonly where: Uint8Array;
  private readonly freq: Uint8Array;
  private readonly sizes: Float64Array;
  private smallBytes = 0;

  constructor(
    objects: number,
    private readonly smallCapacity: number,
    ghostCapacity: number,
  ) {
    this.small = new IdList(objects);
    this.main = new IdList(objects);
    this.ghost = new GhostQueue(objects, ghostCapacity);
    this.where = new Uint8Array(objects);
    this.freq = new Uint8Array(objects);
    this.sizes = new Float64Array(objects);
  }

  hit(layer: number): void {
    if (this.freq[layer] < 3) this.freq[layer]++;
  }

  inserted(layer: number, _row: number, bytes: number): void {
    this.sizes[layer] = bytes;
    this.freq[layer] = 0;
    if (this.ghost.has(layer)) {
      this.ghost.forget(layer);
      this.where[layer] = MAIN;
      this.main.pushBack(layer);
    } else {
      this.where[layer] = SMALL;
      this.small.pushBack(layer);
      this.smallBytes += bytes;
    }
  }

  victim(): number {
    for (;;) {
      if (this.smallBytes >= this.smallCapacity || this.main.head < 0) {
        const t = this.small.head;
        this.small.remove(t);
        this.smallBytes -= this.sizes[t];
        if (this.freq[t] > 1) {
          this.freq[t] = 0;
          this.where[t] = MAIN;
          this.main.pushBack(t);
          continue;
        }
        this.ghost.remember(t, this.sizes[t]);
        return t;
      }
      const t = this.main.head;
      this.main.remove(t);
      if (this.freq[t] > 0) {
        this.freq[t]--;
        this.main.pushBack(t);
        continue;
      }
      return t;
    }
  }

  removed(layer: number): void {
    this.where[layer] = 0;
  }
}

export const s3fifo: ModelFactory = (table: TraceTable, args) => {
  const ratio = numberArg(args, 'small_ratio', 0.1, 's3-fifo');
  return layerCache(
    table,
    args,
    's3-fifo',
    (capacity) => new S3Fifo(table.pools.objects.size, capacity * ratio, capacity * (1 - ratio)),
  );
};
