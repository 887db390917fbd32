/**
 * A count-min sketch of how often ids were seen, as TinyLFU keeps one (Einziger et al., ACM ToS 2017;
 * Caffeine's FrequencySketch): four rows of 4-bit counters (0-15), each id counted in one counter per row
 * and estimated as the least of its four. After `sampleSize` counts every counter is halved, so old
 * popularity fades. Counters are a byte each here, not packed: the same numbers, simpler code.
 */
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
    this.counters = new Uint8Array(SEEDS.length * this.width);
    this.sampleSize = 10 * Math.max(16, Math.round(entries));
  }

  increment(id: number): void {
    const c = this.counters;
    const h = id + 1;
    // The four rows unrolled: this runs on every request of a replay.
    const a = Math.imul(h, SEEDS[0]) >>> this.shift;
    const b = this.width + (Math.imul(h, SEEDS[1]) >>> this.shift);
    const d = 2 * this.width + (Math.imul(h, SEEDS[2]) >>> this.shift);
    const e = 3 * this.width + (Math.imul(h, SEEDS[3]) >>> this.shift);
    let added = 0;
    if (c[a] < MAX_COUNT) added = ++c[a];
    if (c[b] < MAX_COUNT) added = ++c[b];
    if (c[d] < MAX_COUNT) added = ++c[d];
    if (c[e] < MAX_COUNT) added = ++c[e];
    if (added > 0 && ++this.additions >= this.sampleSize) this.halve();
  }

  frequency(id: number): number {
    const c = this.counters;
    const h = id + 1;
    const a = c[Math.imul(h, SEEDS[0]) >>> this.shift];
    const b = c[this.width + (Math.imul(h, SEEDS[1]) >>> this.shift)];
    const d = c[2 * this.width + (Math.imul(h, SEEDS[2]) >>> this.shift)];
    const e = c[3 * this.width + (Math.imul(h, SEEDS[3]) >>> this.shift)];
    return Math.min(a, b, d, e);
  }

  private halve(): void {
    for (let i = 0; i < this.counters.length; i++) this.counters[i] >>= 1;
    this.additions >>= 1;
  }
}
