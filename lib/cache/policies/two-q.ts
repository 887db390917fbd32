/**
 * 2Q (Johnson and Shasha, VLDB 1994, the full version): new layers enter A1in, a FIFO of `kin_ratio` of
 * the bytes (0.25), where a hit changes nothing; a layer evicted from A1in is remembered in A1out, a
 * ghost FIFO of `kout_ratio` of the bytes (0.5); a miss on a ghost enters Am, an LRU, where the other
 * layers live. To make room, A1in gives its oldest while it holds more than its share, else Am its least
 * recent. Params: `capacity_gb`, `kin_ratio`, `kout_ratio`, `admit_max_mb`. Reference: the paper's
 * Figure 2; libCacheSim `TwoQ.c`.
 */
import { GhostQueue } from '../ghost-queue.js';
import { IdList, layerCache, type EvictionPolicy } from '../layer-cache.js';
import { numberArg, type ModelFactory } from '../model.js';

const IN = 1;
const MAIN = 2;

class TwoQ implements EvictionPolicy {
  private readonly ain: IdList;
  private readonly aout: GhostQueue;
  private readonly am: IdList;
  private readonly where: Uint8Array;
  private readonly sizes: Float64Array;
  private ainBytes = 0;
  /** The layer being missed was a ghost: it enters Am. Decided before room is made, which may drop ghosts. */
  private toMain = false;

  constructor(
    objects: number,
    private readonly kin: number,
    kout: number,
  ) {
    this.ain = new IdList(objects);
    this.aout = new GhostQueue(objects, kout);
    this.am = new IdList(objects);
    this.where = new Uint8Array(objects);
    this.sizes = new Float64Array(objects);
  }

  hit(layer: number): void {
    if (this.where[layer] === MAIN) this.am.moveToBack(layer);
  }

  missed(layer: number): void {
    this.toMain = this.aout.has(layer);
    if (this.toMain) this.aout.forget(layer);
  }

  inserted(layer: number, _row: number, bytes: number): void {
    this.sizes[layer] = bytes;
    if (this.toMain) {
      this.toMain = false;
      this.where[layer] = MAIN;
      this.am.pushBack(layer);
    } else {
      this.where[layer] = IN;
      this.ain.pushBack(layer);
      this.ainBytes += bytes;
    }
  }

  victim(): number {
    return (this.ainBytes > this.kin && this.ain.head >= 0) || this.am.head < 0 ? this.ain.head : this.am.head;
  }

  removed(layer: number): void {
    if (this.where[layer] === IN) {
      this.ain.remove(layer);
      this.ainBytes -= this.sizes[layer];
      this.aout.remember(layer, this.sizes[layer]);
    } else this.am.remove(layer);
    this.where[layer] = 0;
  }
}

export const twoQ: ModelFactory = (table, args) => {
  const kin = numberArg(args, 'kin_ratio', 0.25, '2q');
  const kout = numberArg(args, 'kout_ratio', 0.5, '2q');
  return layerCache(
    table,
    args,
    '2q',
    (capacity) => new TwoQ(table.pools.objects.size, capacity * kin, capacity * kout),
  );
};
