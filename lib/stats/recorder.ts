import { encodeHistogram, newHistogram, type Histogram } from './histogram.js';

/*
 * The hot-path front of a histogram. hdr-histogram-js finds a value's bucket with Math.pow, log2 and
 * floor on every record, and a replayed request records nine values: that was a tenth of a run's CPU
 * per request. A Recorder keeps plain counts laid out exactly as the library's counts array for
 * `newHistogram()` (1 µs unit, 3 significant digits: buckets of 1,024 half-sub-buckets), finds a slot
 * with integer arithmetic, and is folded into a library histogram only when it is encoded (once a
 * second for progress, once at the end), so what crosses threads is the library's format, unchanged.
 */

/** log2 of the half sub-bucket count for 3 significant digits (2,048 sub-buckets, unit 1 µs). */
const HALF_MAGNITUDE = 10;
const HALF = 1 << HALF_MAGNITUDE;
/** Slots cover values below 2^32 µs (71 minutes); longer ones go to an overflow histogram. */
const LIMIT_US = 2 ** 32;
const SLOTS = (32 - HALF_MAGNITUDE + 1) * HALF;

/** Microseconds of a duration in ms, as the histograms record it (at least 1). */
export function microseconds(ms: number): number {
  return Math.max(1, Math.round(ms * 1000));
}

/** The counts-array index of `us` (an integer in [1, 2^32)), as hdr-histogram-js computes it. */
export function slotOf(us: number): number {
  const bucket = Math.max(0, 31 - Math.clz32(us) - HALF_MAGNITUDE);
  return ((bucket + 1) << HALF_MAGNITUDE) + (us >>> bucket) - HALF;
}

/** The lowest value that lands in `slot` (hdr-histogram-js's valueFromIndex). */
export function valueOfSlot(slot: number): number {
  let bucket = (slot >> HALF_MAGNITUDE) - 1;
  let sub = (slot & (HALF - 1)) + HALF;
  if (bucket < 0) {
    sub -= HALF;
    bucket = 0;
  }
  return sub * 2 ** bucket;
}

/** The slot of a duration in ms, or -1 when it is too long for the slots (then record it by value). */
export function slotOfMs(ms: number): number {
  const us = microseconds(ms);
  return us < LIMIT_US ? slotOf(us) : -1;
}

export class Recorder {
  private readonly counts = new Float64Array(SLOTS);
  private overflow: Histogram | undefined;
  private recorded = 0;

  /** Records one duration whose slot (`slotOfMs(ms)`) the caller computed, once for several recorders. */
  recordSlot(slot: number, ms: number): void {
    this.recorded++;
    if (slot >= 0) this.counts[slot]++;
    else (this.overflow ??= newHistogram()).recordValue(microseconds(ms));
  }

  recordMs(ms: number): void {
    this.recordSlot(slotOfMs(ms), ms);
  }

  get count(): number {
    return this.recorded;
  }

  /** A library histogram with the same counts. */
  toHistogram(): Histogram {
    const h = newHistogram();
    if (this.overflow !== undefined) h.add(this.overflow);
    const counts = this.counts;
    for (let slot = 0; slot < SLOTS; slot++) if (counts[slot] > 0) h.recordValueWithCount(valueOfSlot(slot), counts[slot]);
    return h;
  }

  /**
   * The counts as [slot, count, slot, count, ...] (only the non-zero ones), then reset: a cheap delta
   * for live progress, added up elsewhere with `addSparse`. Durations past the slots (71 minutes)
   * count in the last slot here.
   */
  takeSparse(): Float64Array {
    const counts = this.counts;
    let n = 0;
    for (let slot = 0; slot < SLOTS; slot++) if (counts[slot] > 0) n++;
    const over = this.overflow?.totalCount ?? 0;
    const pairs = new Float64Array(2 * (n + (over > 0 ? 1 : 0)));
    let k = 0;
    for (let slot = 0; slot < SLOTS; slot++) {
      if (counts[slot] === 0) continue;
      pairs[k++] = slot;
      pairs[k++] = counts[slot];
      counts[slot] = 0;
    }
    if (over > 0) {
      pairs[k++] = SLOTS - 1;
      pairs[k++] = over;
    }
    this.overflow = undefined;
    this.recorded = 0;
    return pairs;
  }

  /** Adds a `takeSparse()` delta. */
  addSparse(pairs: Float64Array): void {
    for (let k = 0; k + 1 < pairs.length; k += 2) {
      this.counts[pairs[k]] += pairs[k + 1];
      this.recorded += pairs[k + 1];
    }
  }

  encode(): string {
    return encodeHistogram(this.toHistogram());
  }

  reset(): void {
    if (this.recorded === 0) return;
    this.counts.fill(0);
    this.overflow = undefined;
    this.recorded = 0;
  }
}
