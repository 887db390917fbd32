import t from 'tap';
import { meanOf, newHistogram, percentilesMs } from '../../../lib/stats/histogram.js';

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
