/**
 * ARC (Megiddo & Modha, FAST 2003), by bytes: T1 holds layers requested once recently, T2 those
 * requested again; ghost lists B1 and B2 remember what each evicted. A miss that hits a ghost moves the
 * target size p of T1 toward the list that would have kept it (by the layer's bytes, weighted by the
 * ghosts' ratio), and the layer comes back into T2. Evictions take T1's oldest while T1 is over p,
 * else T2's. Ghosts are kept to |T1| + |B1| <= c and the total to 2c, in bytes. Params: `capacity_gb`.
 * Reference: the paper's Fig. 4; libCacheSim `ARC.c` for the byte-sized variant.
 */
import { IdList, layerCache, type EvictionPolicy } from '../layer-cache.js';
import type { ModelFactory } from '../model.js';

const T1 = 1;
const T2 = 2;
const B1 = 3;
const B2 = 4;

class Arc implements EvictionPolicy {
  private readonly lists: IdList[];
  private readonly where: Uint8Array;
  private readonly sizes: Float64Array;
  private readonly bytes = [0, 0, 0, 0, 0];
  private p = 0;
  /** Where the layer being inserted was found: a ghost list, or 0. */
  private ghostHit = 0;

  constructor(
    objects: number,
    private readonly c: number,
  ) {
    this.lists = [0, 1, 2, 3, 4].map(() => new IdList(objects));
    this.where = new Uint8Array(objects);
    this.sizes = new Float64Array(objects);
  }

  hit(layer: number): void {
    if (this.where[layer] === T1) this.move(layer, T2);
    else this.lists[T2].moveToBack(layer);
  }

  missed(layer: number, _row: number, size: number): void {
    const b = this.bytes;
    this.ghostHit = 0;
    if (this.where[layer] === B1) {
      this.p = Math.min(this.c, this.p + Math.max(b[B2] / b[B1], 1) * size);
      this.ghostHit = B1;
      this.drop(layer);
    } else if (this.where[layer] === B2) {
      this.p = Math.max(0, this.p - Math.max(b[B1] / b[B2], 1) * size);
      this.ghostHit = B2;
      this.drop(layer);
    }
  }

  victim(): number {
    const b = this.bytes;
    const fromT1 =
      b[T1] > 0 && (b[T1] > this.p || (this.ghostHit === B2 && b[T1] === this.p) || this.lists[T2].head < 0);
    const v = this.lists[fromT1 ? T1 : T2].head;
    this.move(v, fromT1 ? B1 : B2);
    return v;
  }

  removed(): void {}

  inserted(layer: number, _row: number, size: number): void {
    this.sizes[layer] = size;
    this.where[layer] = 0;
    this.add(layer, this.ghostHit === 0 ? T1 : T2);
    this.ghostHit = 0;
    const b = this.bytes;
    while (b[T1] + b[B1] > this.c && b[B1] > 0) this.drop(this.lists[B1].head);
    while (b[T1] + b[T2] + b[B1] + b[B2] > 2 * this.c && b[B2] > 0) this.drop(this.lists[B2].head);
  }

  private add(layer: number, list: number): void {
    this.where[layer] = list;
    this.lists[list].pushBack(layer);
    this.bytes[list] += this.sizes[layer];
  }

  private drop(layer: number): void {
    const list = this.where[layer];
    this.lists[list].remove(layer);
    this.bytes[list] -= this.sizes[layer];
    this.where[layer] = 0;
  }

  private move(layer: number, to: number): void {
    this.drop(layer);
    this.add(layer, to);
  }
}

export const arc: ModelFactory = (table, args) =>
  layerCache(table, args, 'arc', (capacity) => new Arc(table.pools.objects.size, capacity));
