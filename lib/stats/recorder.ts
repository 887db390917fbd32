/*
 * The hot-path front of a histogram. hdr-histogram-js finds a value's bucket with Math.pow, log2 and
 * floor on every record, and a replayed request records nine values: that was a tenth of a run's CPU
 * per request. A Recorder keeps plain counts laid out exactly as the library's counts array for
 * `newHistogram()` (1 µs unit, 3 significant digits: buckets of 1,024 half-sub-buckets) and finds a
 * slot with integer arithmetic. Between threads it travels as sparse counts (a typed array, copied: a
 * transfer would cost the sending worker its optimized code, see actors/client.ts). The master turns
 * them into library histograms once, for the summary (histogram.ts). So a client worker never loads
 * hdr-histogram-js, nor deflates and inflates histograms to hand them over.
 */

/** log2 of the half sub-bucket count for 3 significant digits (2,048 sub-buckets, unit 1 µs). */
const HALF_MAGNITUDE = 10;
const HALF = 1 << HALF_MAGNITUDE;
/** Slots cover values below 2^32 µs (71 minutes); longer ones are kept by value. */
const LIMIT_US = 2 ** 32;
/** The number of slots (the library's counts-array length up to 2^32 µs). */
export const SLOT_COUNT = (32 - HALF_MAGNITUDE + 1) * HALF;

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

const NO_COUNTS = new Float64Array(0);

/**
 * Counts of durations, by slot. Sparse form, the one that crosses threads: [key, count, key, count,
 * ...] with only non-zero counts, where a key >= 0 is a slot and a key < 0 is minus a duration in µs too
 * long for the slots (exact: such durations are kept by value).
 */
export class Recorder {
  /**
   * Allocated at the first count: an engine keeps ~23 recorders (every class, kind and size class) of
   * 184 KiB each, and most never see a request.
   */
  private counts: Float64Array = NO_COUNTS;
  /** Durations past the slots, µs -> count (rare: over 71 minutes). */
  private overflow: Map<number, number> | undefined;
  private recorded = 0;
  /**
   * The range of slots that may hold counts: reading (and resetting) a recorder visits only these, not
   * all 23,552 slots; durations cluster, and most of a run's recorders see few or none.
   */
  private lo = SLOT_COUNT;
  private hi = -1;

  /** Records one duration whose slot (`slotOfMs(ms)`) the caller computed, once for several recorders. */
  recordSlot(slot: number, ms: number): void {
    this.recorded++;
    if (slot >= 0) {
      this.allocated()[slot]++;
      if (slot < this.lo) this.lo = slot;
      if (slot > this.hi) this.hi = slot;
    } else this.addOverflow(microseconds(ms), 1);
  }

  /** The counts, allocated at the first one. */
  private allocated(): Float64Array {
    if (this.counts.length === 0) this.counts = new Float64Array(SLOT_COUNT);
    return this.counts;
  }

  private addOverflow(us: number, count: number): void {
    this.overflow ??= new Map();
    this.overflow.set(us, (this.overflow.get(us) ?? 0) + count);
  }

  recordMs(ms: number): void {
    this.recordSlot(slotOfMs(ms), ms);
  }

  get count(): number {
    return this.recorded;
  }

  /**
   * The sparse form (see the class): slots in increasing order, then long durations by value. Plain
   * loops: a worker takes one every second for live progress, over thousands of slots at a registry's
   * pace, in code that is rarely hot (a callback per count was 11 ms of a 10,000-request run).
   */
  sparse(): Float64Array {
    const counts = this.counts;
    let n = 0;
    for (let slot = this.lo; slot <= this.hi; slot++) if (counts[slot] > 0) n++;
    const long = this.overflow === undefined ? [] : [...this.overflow].sort((x, y) => x[0] - y[0]);
    const pairs = new Float64Array(2 * (n + long.length));
    let k = 0;
    for (let slot = this.lo; slot <= this.hi; slot++) {
      const count = counts[slot];
      if (count > 0) {
        pairs[k++] = slot;
        pairs[k++] = count;
      }
    }
    for (const [us, count] of long) {
      pairs[k++] = -us;
      pairs[k++] = count;
    }
    return pairs;
  }

  /** The sparse form, then reset: a cheap delta for live progress. */
  takeSparse(): Float64Array {
    const pairs = this.sparse();
    this.reset();
    return pairs;
  }

  /** Adds counts in sparse form. */
  addSparse(pairs: Float64Array): void {
    for (let k = 0; k + 1 < pairs.length; k += 2) {
      const key = pairs[k];
      const count = pairs[k + 1];
      if (key >= 0) {
        this.allocated()[key] += count;
        if (key < this.lo) this.lo = key;
        if (key > this.hi) this.hi = key;
      } else this.addOverflow(-key, count);
      this.recorded += count;
    }
  }

  reset(): void {
    if (this.recorded === 0) return;
    if (this.hi >= this.lo) this.counts.fill(0, this.lo, this.hi + 1);
    this.lo = SLOT_COUNT;
    this.hi = -1;
    // Stored only when set: V8 treats a field never stored again as a constant, and a first store
    // here (a worker's first progress tick) would throw away `sparse`'s code compiled with it.
    if (this.overflow !== undefined) this.overflow = undefined;
    this.recorded = 0;
  }
}
