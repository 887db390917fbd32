import * as hdr from 'hdr-histogram-js';
import { encodeSparseCounts, type HistogramShape } from './hdr-encoding.js';
import { Recorder, SLOT_COUNT, slotWidth, valueOfSlot } from './recorder.js';

/** Histograms record microseconds: 1 µs to an hour at 3 significant digits. */
const BUILD: hdr.BuildRequest = { lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3, autoResize: true, bitBucketSize: 32 };

export type Histogram = hdr.Histogram;

/** What the encoded form of these histograms says about them (the library writes the same). */
const SHAPE: HistogramShape = { significantDigits: BUILD.numberOfSignificantValueDigits as number, lowestDiscernibleValue: BUILD.lowestDiscernibleValue as number, highestTrackableValue: BUILD.highestTrackableValue as number };

export function newHistogram(): Histogram {
  return hdr.build(BUILD);
}

/** The compact text form of histograms in run summaries (read by `drtp merge` and `drtp report`) and analyze partials. */
export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decodeHistogram(encoded: string): Histogram {
  return hdr.decodeFromCompressedBase64(encoded, 32, false);
}

/** The internals `meanOf` reads (public methods of hdr-histogram-js's JsHistogram, absent from its types). */
interface Indexed {
  countsArrayLength: number;
  getCountAtIndex(i: number): number;
  valueFromIndex(i: number): number;
  highestEquivalentValue(v: number): number;
  medianEquivalentValue(v: number): number;
  establishInternalTackingValues(): void;
}

/**
 * `h.mean`, to the last bit, without the library's iterator, which computes a bucket value with
 * Math.pow at every one of the ~23,000 indexes, recorded or not: the same sum in the same order,
 * over the recorded indexes only. A summary takes ~30 means; this was most of building it.
 */
export function meanOf(h: Histogram): number {
  if (h.totalCount === 0) return 0;
  const x = h as unknown as Indexed;
  let total = 0;
  for (let i = 0; i < x.countsArrayLength; i++) {
    const count = x.getCountAtIndex(i);
    if (count !== 0) total += x.medianEquivalentValue(x.highestEquivalentValue(x.valueFromIndex(i))) * count;
  }
  return total / h.totalCount;
}

/** Percentiles of a histogram, in milliseconds. */
export interface Percentiles {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export function percentilesMs(h: Histogram): Percentiles {
  const ms = (us: number): number => Math.round(us) / 1000;
  if (h.totalCount === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  return {
    count: h.totalCount,
    mean: ms(meanOf(h)),
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
  };
}

const NO_VALUES: Percentiles = { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };

/**
 * `percentilesMs(histogramOfSparse(pairs))`, to the last bit, from the sparse counts alone: a summary's
 * histograms are read once each, and building a library histogram to read one walks its ~23,000
 * counts a dozen times in code that has not warmed up (most of the ~40 ms a summary took). `pairs`
 * are in a Recorder's order (slots increasing, then durations past the slots, which go to the library).
 *
 * The library's arithmetic: a bucket's median equivalent value for the mean (summed in index order), its
 * highest equivalent value for a percentile, a percentile's count rounded up past one ulp of
 * floating-point error. Each figure is its own small loop: this code runs once per run, and V8
 * compiled one loop computing them all twice over (~30 ms), first mid-loop, then again because the code
 * after the loop had never run.
 */
export function percentilesOfSparse(pairs: Float64Array): Percentiles {
  if (pairs.length === 0) return NO_VALUES;
  if (hasLongDurations(pairs)) return percentilesMs(histogramOfSparse(pairs));
  const total = sparseTotal(pairs);
  const ms = (us: number): number => Math.round(us) / 1000;
  const at = (percentile: number): number => ms(valueAtCount(pairs, countAtPercentile(percentile, total)));
  return { count: total, mean: ms(sparseSum(pairs) / total), p50: at(50), p90: at(90), p99: at(99), p999: at(99.9), max: ms(highestOfSlot(pairs[pairs.length - 2])) };
}

/** Whether non-empty sparse counts hold durations past the slots (in a Recorder's order, they come last). */
function hasLongDurations(pairs: Float64Array): boolean {
  return pairs[pairs.length - 2] < 0;
}

/** The count a percentile falls at, as the library computes it. */
function countAtPercentile(percentile: number, total: number): number {
  const fp = (percentile / 100) * total;
  return Math.max(Math.ceil(fp - 2 ** (Math.floor(Math.log2(fp)) - 52)), 1);
}

function highestOfSlot(slot: number): number {
  return valueOfSlot(slot) + slotWidth(slot) - 1;
}

function sparseTotal(pairs: Float64Array): number {
  let total = 0;
  for (let k = 1; k < pairs.length; k += 2) total += pairs[k];
  return total;
}

/** The sum of every value at its bucket's median equivalent value (integers: exact below 2^53). */
function sparseSum(pairs: Float64Array): number {
  let sum = 0;
  for (let k = 0; k + 1 < pairs.length; k += 2) sum += (valueOfSlot(pairs[k]) + Math.floor(slotWidth(pairs[k]) / 2)) * pairs[k + 1];
  return sum;
}

/** The highest equivalent value of the bucket where the running count reaches `count`. */
function valueAtCount(pairs: Float64Array, count: number): number {
  let seen = 0;
  for (let k = 0; k + 1 < pairs.length; k += 2) {
    seen += pairs[k + 1];
    if (seen >= count) return highestOfSlot(pairs[k]);
  }
  return highestOfSlot(pairs[pairs.length - 2]);
}

/** A fresh library histogram with counts in a Recorder's sparse form (exact: each slot is one of its buckets). */
function recordedSparse(pairs: Float64Array): Histogram {
  const h = newHistogram();
  for (let k = 0; k + 1 < pairs.length; k += 2) h.recordValueWithCount(pairs[k] >= 0 ? valueOfSlot(pairs[k]) : -pairs[k], pairs[k + 1]);
  return h;
}

/**
 * The library histogram of counts in a Recorder's sparse form (as they cross threads), its min and max
 * set from the counts as decoding sets them (max = the top bucket's highest value), so a summary says
 * the same whether built here or read back from its encoded histograms.
 */
export function histogramOfSparse(pairs: Float64Array): Histogram {
  const h = recordedSparse(pairs);
  (h as unknown as Indexed).establishInternalTackingValues();
  return h;
}

/**
 * `encodeHistogram(histogramOfSparse(pairs))`, byte for byte, written from the counts (hdr-encoding.ts);
 * durations past the slots, rare, go through a library histogram.
 */
export function encodeSparse(pairs: Float64Array): string {
  if (pairs.length === 0) return encodedEmptyHistogram();
  if (hasLongDurations(pairs)) return encodeHistogram(recordedSparse(pairs));
  return encodeSparseCounts(pairs, SHAPE);
}

let emptyEncoded: string | undefined;

/** The encoded form of an empty histogram: most of a summary's histograms (classes and sizes a run never saw). */
export function encodedEmptyHistogram(): string {
  return (emptyEncoded ??= encodeHistogram(newHistogram()));
}

/** A Recorder with a library histogram's counts (for summaries read back from files). */
export function recorderOf(h: Histogram): Recorder {
  const indexed = h as unknown as Indexed;
  const pairs: number[] = [];
  for (let i = 0; i < indexed.countsArrayLength; i++) {
    const count = indexed.getCountAtIndex(i);
    if (count === 0) continue;
    // The layouts agree slot for slot below 2^32 µs; past that, durations go by value.
    pairs.push(i < SLOT_COUNT ? i : -indexed.valueFromIndex(i), count);
  }
  const recorder = new Recorder();
  recorder.addSparse(Float64Array.from(pairs));
  return recorder;
}
