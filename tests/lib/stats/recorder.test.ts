import t from 'tap';
import {
  decodeHistogram,
  encodeHistogram,
  encodeSparse,
  histogramOfSparse,
  newHistogram,
  percentilesMs,
  recorderOf,
  summarizeSparse,
  type Histogram,
} from '../../../lib/stats/histogram.js';
import { Recorder, slotOf, valueOfSlot } from '../../../lib/stats/recorder.js';
import { Random } from '../../../lib/trace/random.js';

/** The library's own recording of a duration, the reference a Recorder must match. */
function recordMs(h: Histogram, ms: number): void {
  h.recordValue(Math.max(1, Math.round(ms * 1000)));
}

/** Durations in ms over the whole range a replay sees: sub-µs to hours (past the slots' 71 minutes). */
function durations(seed: number, n: number): number[] {
  const rng = new Random(seed);
  const values = [
    0,
    0.0004,
    0.001,
    1.023,
    1.024,
    2.047,
    2.048,
    2.049,
    4_294_967.295,
    4_294_967.296,
    5_000_000,
    3 * 3_600_000,
  ];
  for (let i = 0; i < n; i++) values.push(rng.next() * 10 ** (rng.int(10) - 3));
  return values;
}

t.test('a recorder folds into exactly the histogram that recording each value gives', async (t) => {
  for (const seed of [1, 2, 3]) {
    const values = durations(seed, 20_000);
    const direct = newHistogram();
    const recorder = new Recorder();
    for (const ms of values) {
      recordMs(direct, ms);
      recorder.recordMs(ms);
    }
    t.equal(recorder.count, values.length);
    // Built in place (as the master builds a summary) or read back from its encoding (as merge does).
    const built = histogramOfSparse(recorder.sparse());
    t.same(
      percentilesMs(built),
      percentilesMs(decodeHistogram(encodeHistogram(built))),
      `seed ${seed}: in place = read back`,
    );
    t.ok(built.maxValue >= built.getValueAtPercentile(99.9), `seed ${seed}: max >= p99.9`);
    const folded = decodeHistogram(encodeHistogram(histogramOfSparse(recorder.sparse())));
    const expected = decodeHistogram(encodeHistogram(direct));
    t.equal(folded.totalCount, expected.totalCount, `seed ${seed}: count`);
    t.same(percentilesMs(folded), percentilesMs(expected), `seed ${seed}: mean, percentiles and max`);
    for (const p of [0.1, 1, 10, 25, 33.3, 50, 75, 95, 99.99, 100])
      t.equal(folded.getValueAtPercentile(p), expected.getValueAtPercentile(p), `seed ${seed}: p${p}`);
  }
});

t.test('slots match the library bucket by bucket', async (t) => {
  const h = newHistogram() as unknown as { countsArrayIndex(v: number): number; valueFromIndex(i: number): number };
  const rng = new Random(4);
  let mismatches = 0;
  for (let i = 0; i < 50_000; i++) {
    const us = 1 + Math.floor(rng.next() * 2 ** rng.int(33));
    if (us >= 2 ** 32) continue;
    if (slotOf(us) !== h.countsArrayIndex(us)) mismatches++;
    if (valueOfSlot(slotOf(us)) !== h.valueFromIndex(h.countsArrayIndex(us))) mismatches++;
  }
  t.equal(mismatches, 0);
});

t.test('reset empties a recorder; an empty one encodes an empty histogram', async (t) => {
  const r = new Recorder();
  r.recordMs(5);
  r.recordMs(10_000_000);
  t.equal(decodeHistogram(encodeHistogram(histogramOfSparse(r.sparse()))).totalCount, 2);
  r.reset();
  t.equal(r.count, 0);
  t.equal(decodeHistogram(encodeHistogram(histogramOfSparse(r.sparse()))).totalCount, 0);
  t.equal(
    encodeSparse(r.sparse()),
    encodeHistogram(newHistogram()),
    "an empty recorder's encoding is an empty histogram's",
  );
});

t.test('a recorder reads and resets exactly the slots it holds, wherever they are', async (t) => {
  const r = new Recorder();
  const fresh = (values: number[]): Float64Array => {
    const f = new Recorder();
    for (const ms of values) f.recordMs(ms);
    return f.sparse();
  };
  // Highest slot first, then the lowest, then the middle: the range must widen both ways.
  const first = [4_000_000, 0.001, 3, 3];
  for (const ms of first) r.recordMs(ms);
  t.same([...r.sparse()], [...fresh(first)]);
  t.equal(r.sparse().length, 6, 'three distinct slots');
  t.same([...r.takeSparse()], [...fresh(first)]);
  t.same([...r.sparse()], [], 'nothing left after a take');
  // After a reset, a narrower range: none of the earlier counts come back.
  const second = [7, 7.5];
  for (const ms of second) r.recordMs(ms);
  t.same([...r.sparse()], [...fresh(second)]);
  const sum = new Recorder();
  sum.addSparse(fresh([0.002]));
  sum.addSparse(fresh([3_000_000]));
  t.same([...sum.sparse()], [...fresh([0.002, 3_000_000])], 'added sparse counts widen the range too');
});

t.test('sparse deltas add up to the recorder they came from, and empty it', async (t) => {
  const values = durations(5, 5_000);
  const whole = new Recorder();
  const source = new Recorder();
  const sum = new Recorder();
  values.forEach((ms, i) => {
    whole.recordMs(ms);
    source.recordMs(ms);
    if (i % 1000 === 999) sum.addSparse(source.takeSparse());
  });
  sum.addSparse(source.takeSparse());
  t.equal(source.count, 0);
  t.equal(sum.count, values.length);
  t.equal(
    encodeHistogram(histogramOfSparse(sum.sparse())),
    encodeHistogram(histogramOfSparse(whole.sparse())),
    'the same histogram, long durations included',
  );
});

t.test('a histogram read back from a summary becomes the same recorder', async (t) => {
  const r = new Recorder();
  for (const ms of durations(6, 10_000)) r.recordMs(ms);
  const encoded = encodeHistogram(histogramOfSparse(r.sparse()));
  const back = recorderOf(decodeHistogram(encoded));
  t.equal(back.count, r.count);
  t.equal(encodeHistogram(histogramOfSparse(back.sparse())), encoded);
});

t.test("a summary's percentiles of sparse counts are the library's recording each value, read back", async (t) => {
  const cases: [string, number[]][] = [
    ['one value', [3.5]],
    ['first bucket only', Array.from({ length: 500 }, (_, i) => (i % 2048) / 1000)],
    ['sub-µs to minutes', durations(7, 20_000).filter((ms) => ms < 4_294_967)],
    ['tight cluster', Array.from({ length: 9_999 }, (_, i) => 12 + (i % 7) * 0.001)],
    ['past the slots (by value)', durations(8, 2_000)],
  ];
  for (const [name, values] of cases) {
    const recorder = new Recorder();
    for (const ms of values) recorder.recordMs(ms);
    const sparse = recorder.sparse();
    // The library's own recording of every value, read back as summaries are by merge and report.
    const direct = newHistogram();
    for (const ms of values) recordMs(direct, ms);
    const read = summarizeSparse(sparse);
    t.same(read.percentiles, percentilesMs(decodeHistogram(encodeHistogram(direct))), name);
    t.equal(read.encoded, encodeHistogram(direct), `${name}: encoded the same`);
  }
  t.same(summarizeSparse(new Float64Array(0)).percentiles, percentilesMs(newHistogram()), 'no values');
});
