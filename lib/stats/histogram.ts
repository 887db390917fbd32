import * as hdr from 'hdr-histogram-js';
import { Recorder, SLOT_COUNT, valueOfSlot } from './recorder.js';

/** Histograms record microseconds: 1 µs to an hour at 3 significant digits. */
const BUILD: hdr.BuildRequest = {
  lowestDiscernibleValue: 1,
  highestTrackableValue: 3_600_000_000,
  numberOfSignificantValueDigits: 3,
  autoResize: true,
  bitBucketSize: 32,
};

export type Histogram = hdr.Histogram;

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

const NO_VALUES: Percentiles = { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };

/** `h`'s percentiles. */
export function percentilesMs(h: Histogram): Percentiles {
  const ms = (us: number): number => Math.round(us) / 1000;
  if (h.totalCount === 0) return NO_VALUES;
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

/** A fresh library histogram with counts in a Recorder's sparse form (exact: each slot is one of its buckets). */
export function recordedSparse(pairs: Float64Array): Histogram {
  const h = newHistogram();
  for (let k = 0; k + 1 < pairs.length; k += 2)
    h.recordValueWithCount(pairs[k] >= 0 ? valueOfSlot(pairs[k]) : -pairs[k], pairs[k + 1]);
  return h;
}

/** The value at `percentile` of counts in a Recorder's sparse form, in ms (the live progress line's p99). */
export function percentileOfSparse(pairs: Float64Array, percentile: number): number {
  return recordedSparse(pairs).getValueAtPercentile(percentile) / 1000;
}

/** The encoded form of counts in a Recorder's sparse form (as they cross threads). */
export function encodeSparse(pairs: Float64Array): string {
  return encodeHistogram(recordedSparse(pairs));
}

/**
 * The library histogram of counts in a Recorder's sparse form, as decoding its encoding gives it (its
 * max is the top bucket's highest value), so a summary says the same whether built from a run's counts
 * or read back from its encoded histograms.
 */
export function histogramOfSparse(pairs: Float64Array): Histogram {
  return decodeHistogram(encodeSparse(pairs));
}

let empty: { percentiles: Percentiles; encoded: string } | undefined;

/**
 * What a summary says of one histogram: its percentiles, and its encoding for exact merging. Most of a
 * summary's histograms are empty (classes and sizes a run never saw): their encoding is made once.
 */
export function summarizeSparse(pairs: Float64Array): { percentiles: Percentiles; encoded: string } {
  if (pairs.length === 0) return (empty ??= { percentiles: NO_VALUES, encoded: encodeHistogram(newHistogram()) });
  const encoded = encodeSparse(pairs);
  return { percentiles: percentilesMs(decodeHistogram(encoded)), encoded };
}

/** The count-array methods read here (public methods of the library's JsHistogram, absent from its types). */
interface Indexed {
  countsArrayLength: number;
  getCountAtIndex(i: number): number;
  valueFromIndex(i: number): number;
  medianEquivalentValue(value: number): number;
}

/**
 * The library's mean, the same sum in the same order (each bucket's middle times its count, in bucket
 * order), walked over the counts directly: the library's own goes through an iterator object per bucket.
 */
export function meanOf(h: Histogram): number {
  if (h.totalCount === 0) return 0;
  const indexed = h as unknown as Indexed;
  let sum = 0;
  for (let i = 0; i < indexed.countsArrayLength; i++) {
    const count = indexed.getCountAtIndex(i);
    if (count !== 0) sum += indexed.medianEquivalentValue(indexed.valueFromIndex(i)) * count;
  }
  return sum / h.totalCount;
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
