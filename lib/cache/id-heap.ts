/**
 * A binary min-heap of dense ids keyed by numbers, with each id's position kept so that its key can
 * change in O(log n): typed arrays only, no allocation per operation.
 */
export class IdHeap {
  private readonly heap: Int32Array;
  private readonly pos: Int32Array;
  private readonly key: Float64Array;
  size = 0;

  constructor(ids: number) {
    this.heap = new Int32Array(ids);
    this.pos = new Int32Array(ids).fill(-1);
    this.key = new Float64Array(ids);
  }

  has(id: number): boolean {
    return this.pos[id] >= 0;
  }

  /** Inserts `id`, or changes its key if present. */
  set(id: number, key: number): void {
    if (this.pos[id] < 0) {
      this.key[id] = key;
      this.heap[this.size] = id;
      this.pos[id] = this.size++;
      this.up(this.pos[id]);
      return;
    }
    const old = this.key[id];
    this.key[id] = key;
    if (key < old) this.up(this.pos[id]);
    else this.down(this.pos[id]);
  }

  /** The key of `id` (it must be in the heap). */
  keyOf(id: number): number {
    return this.key[id];
  }

  peek(): number {
    return this.size === 0 ? -1 : this.heap[0];
  }

  remove(id: number): void {
    const at = this.pos[id];
    if (at < 0) return;
    const last = this.heap[--this.size];
    this.pos[id] = -1;
    if (at === this.size) return;
    this.heap[at] = last;
    this.pos[last] = at;
    this.up(at);
    this.down(this.pos[last]);
  }

  private less(a: number, b: number): boolean {
    const ka = this.key[a];
    const kb = this.key[b];
    return ka < kb || (ka === kb && a < b);
  }

  private up(at: number): void {
    const { heap, pos } = this;
    const id = heap[at];
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!this.less(id, heap[parent])) break;
      heap[at] = heap[parent];
      pos[heap[at]] = at;
      at = parent;
    }
    heap[at] = id;
    pos[id] = at;
  }

  private down(at: number): void {
    const { heap, pos } = this;
    const id = heap[at];
    for (;;) {
      let child = 2 * at + 1;
      if (child >= this.size) break;
      if (child + 1 < this.size && this.less(heap[child + 1], heap[child])) child++;
      if (!this.less(heap[child], id)) break;
      heap[at] = heap[child];
      pos[heap[at]] = at;
      at = child;
    }
    heap[at] = id;
    pos[id] = at;
  }
}
