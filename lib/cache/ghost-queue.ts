import { IdList } from './layer-cache.js';

/**
 * Layers a cache evicted, remembered oldest first up to `capacity` bytes of their sizes at eviction: the
 * ghost FIFOs of 2Q (A1out) and S3-FIFO. A layer requested while remembered is treated as seen before.
 */
export class GhostQueue {
  private readonly queue: IdList;
  private readonly remembered: Uint8Array;
  private readonly sizes: Float64Array;
  private bytes = 0;

  constructor(
    objects: number,
    private readonly capacity: number,
  ) {
    this.queue = new IdList(objects);
    this.remembered = new Uint8Array(objects);
    this.sizes = new Float64Array(objects);
  }

  has(layer: number): boolean {
    return this.remembered[layer] === 1;
  }

  /** Remembers an evicted layer of `bytes`, forgetting the oldest while over capacity. */
  remember(layer: number, bytes: number): void {
    this.remembered[layer] = 1;
    this.sizes[layer] = bytes;
    this.queue.pushBack(layer);
    this.bytes += bytes;
    while (this.bytes > this.capacity && this.queue.head >= 0) this.forget(this.queue.head);
  }

  forget(layer: number): void {
    this.queue.remove(layer);
    this.remembered[layer] = 0;
    this.bytes -= this.sizes[layer];
  }
}
