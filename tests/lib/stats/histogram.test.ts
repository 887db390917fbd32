import t from 'tap';
import {
  decodeHistogram,
  encodeSparse,
  histogramOfSparse,
  meanOf,
  newHistogram,
  percentilesMs,
} from '../../../lib/stats/histogram.js';
import { Recorder } from '../../../lib/stats/recorder.js';

t.test("meanOf is the library's mean, to the last bit, over values from 1 µs to past an hour", async (t) => {
  let seed = 7;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (const spread of [10, 1e4, 1e7, 1e10]) {
    const h = newHistogram();
    for (let k = 0; k < 5000; k++) h.recordValueWithCount(1 + Math.floor(random() ** 3 * spread), 1 + (k % 7));
    t.equal(meanOf(h), h.mean, `values up to ${spread} µs`);
    t.equal(percentilesMs(h).mean, Math.round(h.mean) / 1000);
  }
  t.equal(meanOf(newHistogram()), 0, 'an empty histogram has mean 0, as the library says');
  t.equal(newHistogram().mean, 0);
});

t.test("parts' counts added as Recorders say what their decoded histograms added up say", async (t) => {
  // An analysis used to decode each part's histogram and add it into one; it now adds the counts and
  // makes one histogram at the end. Past 71 minutes, durations go by value: some parts reach a day.
  let seed = 3;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let trial = 0; trial < 60; trial++) {
    const parts: Float64Array[] = [];
    const total = new Recorder();
    for (let p = 0; p < 1 + (trial % 4); p++) {
      const part = new Recorder();
      const spread = 10 ** (1 + (trial % 8));
      for (let k = 0; k < 1 + ((trial * 37 + p * 11) % 400); k++) part.recordMs(random() ** 3 * spread);
      parts.push(part.sparse());
      total.addSparse(part.sparse());
    }
    const added = newHistogram();
    for (const part of parts) added.add(decodeHistogram(encodeSparse(part)));
    t.same(percentilesMs(histogramOfSparse(total.sparse())), percentilesMs(added), `trial ${trial}`);
  }
});
