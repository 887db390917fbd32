/**
 * A count-min sketch of how often ids were seen, as TinyLFU keeps one (Einziger et al., ACM ToS 2017;
 * Caffeine's FrequencySketch): four rows of 4-bit counters (0-15), each id counted in one counter per row
 * and estimated as the least of its four. After `sampleSize` counts every counter is halved, so old
 * popularity fades. Counters are a byte each here, not packed: the same numbers, simpler code.
 */
const DEPTH = 4;
const MAX_COUNT = 15;
// Odd multipliers for multiply-shift hashing, one per row.
const SEEDS = [0x9e3779b1, 0x85ebca77, 0xc2b2ae3d, 0x27d4eb2f];

export class FrequencySketch {
  private readonly counters: Uint8Array;
  private readonly shift: number;
  private readonly width: number;
  private readonly sampleSize: number;
  private additions = 0;

  /** For a cache of about `entries` items: a row per power of two at or above it, halving every 10 x entries. */
  constructor(entries: number) {
    const bits = Math.max(4, Math.ceil(Math.log2(Math.max(16, entries))));
    this.width = 1 << bits;
    this.shift = 32 - bits;
    this.counters = new Uint8Array(DEPTH * this.width);
    this.sampleSize = 10 * Math.max(16, Math.round(entries));
  }

  increment(id: number): void {
    let added = false;
    for (let row = 0; row < DEPTH; row++) {
      const at = this.index(id, row);
      if (this.counters[at] < MAX_COUNT) {
        this.counters[at]++;
        added = true;
      }
    }
    if (added && ++this.additions >= this.sampleSize) this.halve();
  }

  frequency(id: number): number {
    let least = MAX_COUNT;
    for (let row = 0; row < DEPTH; row++) least = Math.min(least, this.counters[this.index(id, row)]);
    return least;
  }

  private index(id: number, row: number): number {
    return row * this.width + (Math.imul(id + 1, SEEDS[row]) >>> this.shift);
  }

  private halve(): void {
    for (let i = 0; i < this.counters.length; i++) this.counters[i] >>= 1;
    this.additions >>= 1;
  }
}
