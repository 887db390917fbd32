import t from 'tap';
import { MODELS } from '../../../lib/cache/index.js';
import { lruMissRatioCurve } from '../../../lib/cache/mrc.js';
import { TraceTableBuilder } from '../../../lib/trace/builder.js';
import { Random, Zipf } from '../../../lib/trace/random.js';
import { Method } from '../../../lib/trace/request.js';
import type { TraceTable } from '../../../lib/trace/table.js';

/** `requests` over `layers` Zipf-popular layers of sizes 1-64 KB (each layer one size), with some manifest GETs and pushes among them. */
function zipfTrace(requests: number, layers: number, seed: number): TraceTable {
  const rng = new Random(seed);
  const zipf = new Zipf(layers, 0.9);
  const sizes = Array.from({ length: layers }, () => 1000 + rng.int(63_000));
  const b = new TraceTableBuilder();
  for (let i = 0; i < requests; i++) {
    const layer = zipf.draw(rng);
    if (i % 50 === 7) b.addStrings(i, Method.GET, `v2/u/r${layer % 7}/manifests/latest`, 'c', 900, 0.1, 200);
    else b.addStrings(i, i % 97 === 3 ? Method.PUT : Method.GET, `v2/u/r/blobs/l${layer}`, 'c', sizes[layer], 0.1, 200);
  }
  return b.build();
}

t.test('the exact curve equals an LRU simulation at every size, object and byte miss ratios alike', async (t) => {
  const trace = zipfTrace(20_000, 3000, 3);
  // Sizes between byte counts, so that no distance sits on a size and rounding cannot tip a request.
  const sizes = Array.from({ length: 24 }, (_, k) => Math.round(64_000 * 1.35 ** k) + 0.5);
  const curve = lruMissRatioCurve(trace, { sizes });
  t.equal(curve.length, sizes.length);
  for (const point of curve) {
    const lru = MODELS.lru(trace, { capacity_gb: point.bytes / 1e9 });
    for (let i = 0; i < trace.length; i++) lru.access(i);
    const stats = lru.stats();
    t.equal(
      point.missRatio.toFixed(12),
      (1 - stats['hit ratio']).toFixed(12),
      `${point.bytes} bytes: miss ratio ${point.missRatio}`,
    );
    t.equal(
      point.byteMissRatio.toFixed(12),
      (1 - stats['byte hit ratio']).toFixed(12),
      `${point.bytes} bytes: byte miss ratio ${point.byteMissRatio}`,
    );
  }
  t.ok(curve[0].missRatio > curve[curve.length - 1].missRatio, 'a larger cache misses less');
});

t.test('SHARDS at 1% stays within 0.02 of the exact curve on a 1M-request Zipf trace', async (t) => {
  const trace = zipfTrace(1_000_000, 400_000, 4);
  // From 5,000 mean layers (160 MB) to the working set: a 1% sample sees one layer in a hundred, and
  // resolves a cache only when it holds many of those.
  const sizes = Array.from({ length: 14 }, (_, k) => 160e6 * 1.3 ** k);
  const exact = lruMissRatioCurve(trace, { sizes });
  const sampled = lruMissRatioCurve(trace, { sizes, rate: 0.01 });
  const differences = exact.map((point, k) => Math.abs(point.missRatio - sampled[k].missRatio));
  const byteDifferences = exact.map((point, k) => Math.abs(point.byteMissRatio - sampled[k].byteMissRatio));
  t.ok(Math.max(...differences) <= 0.02, `largest difference in miss ratio ${Math.max(...differences).toFixed(4)}`);
  // Bytes weigh the large layers, which a sample catches or misses whole: a wider bound, and the mean.
  t.ok(
    Math.max(...byteDifferences) <= 0.03,
    `largest difference in byte miss ratio ${Math.max(...byteDifferences).toFixed(4)}`,
  );
  t.ok(
    byteDifferences.reduce((a, b) => a + b, 0) / sizes.length <= 0.02,
    'mean difference in byte miss ratio within 0.02',
  );
  t.ok(
    exact[0].missRatio - exact[exact.length - 1].missRatio > 0.3,
    `over a curve that falls by more than 0.3: ${exact[0].missRatio.toFixed(3)} to ${exact[exact.length - 1].missRatio.toFixed(3)}`,
  );
});
