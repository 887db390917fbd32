import t from 'tap';
import { simulateRegistry } from '../../../lib/simulation/simulated-registry.js';
import { TraceTableBuilder } from '../../../lib/trace/builder.js';
import { Method } from '../../../lib/trace/request.js';

/** HDR histograms keep 3 significant digits: equal within 0.1%. */
const near = (actual: number, expected: number): boolean => Math.abs(actual - expected) <= expected * 1e-3 + 1e-9;

const LATENCY = {
  memory: { fixed_ms: 1, mb_per_s: 1000 },
  fs: { fixed_ms: 5, mb_per_s: 500 },
  backend: { fixed_ms: 10, mb_per_s: 100 },
};
/** The configuration's defaults: trace speed, 3 in flight per client, late after 10 ms. */
const REPLAY = { latency: LATENCY, speed: 1, inFlight: 3, lateMs: 10, seed: 1 };

t.test('a simulated registry serves each request from its tier, in virtual time, with the run summary', async (t) => {
  const b = new TraceTableBuilder();
  // Hour-long gaps: replayed in virtual time, not waited for.
  b.addStrings(1e12, Method.GET, 'v2/u/r/blobs/A', 'c1', 1e6, 0.1, 200);
  b.addStrings(1e12 + 3600e3, Method.GET, 'v2/u/r/blobs/A', 'c1', 1e6, 0.1, 200);
  b.addStrings(1e12 + 7200e3, Method.GET, 'v2/u/r/blobs/B', 'c2', 2e6, 0.1, 200);
  const table = b.build();
  const summary = await simulateRegistry(table, REPLAY, 'lru', { capacity_gb: 1 });
  t.same(summary.requests, { total: 3, ok: 3, failed: 0, skipped: 0 });
  // A: miss, 10 ms + 1 MB at 100 MB/s = 20 ms; A again: hit, 1 ms + 1 MB at 1000 MB/s = 2 ms;
  // B: miss, 10 ms + 2 MB at 100 MB/s = 30 ms.
  const gets = summary.classes['GET blob'];
  t.ok(near(gets.latencyMs.max, 30), `max ${gets.latencyMs.max}`);
  t.ok(near(gets.ttfbMs.max, 10), `ttfb ${gets.ttfbMs.max}`);
  t.ok(near(gets.latencyMs.mean, (20 + 2 + 30) / 3), `mean ${gets.latencyMs.mean}`);
  t.equal(summary.durationSeconds, 7200.03, 'from the first send (0) to the last done (7200 s + 30 ms)');
  t.equal(summary.onTimeRatio, 1, 'nothing late in virtual time');
  t.same(summary.meta.cache, {
    requests: 3,
    hits: 1,
    'hit ratio': 1 / 3,
    bytes: 4e6,
    'byte hits': 1e6,
    'byte hit ratio': 0.25,
    evictions: 0,
  });
});

t.test('two-level tiers: memory, file system and backend latencies', async (t) => {
  const b = new TraceTableBuilder();
  // Memory 1.5 MB: A then B evicts A into the fs tier; A again comes from the fs tier.
  b.addStrings(1e12, Method.GET, 'v2/u/r/blobs/A', 'c', 1e6, 0.1, 200);
  b.addStrings(1e12 + 1000, Method.GET, 'v2/u/r/blobs/B', 'c', 1e6, 0.1, 200);
  b.addStrings(1e12 + 2000, Method.GET, 'v2/u/r/blobs/A', 'c', 1e6, 0.1, 200);
  b.addStrings(1e12 + 3000, Method.GET, 'v2/u/r/blobs/A', 'c', 1e6, 0.1, 200);
  const table = b.build();
  const summary = await simulateRegistry(table, REPLAY, 'two-level', {
    cache_size: 1.5e6 / 2 ** 30,
    restrict_mb: 100,
    fs_multiplier: 10,
  });
  // Backend 20 ms twice, then the fs tier (5 ms + 2 ms), then memory (1 ms + 1 ms).
  const latency = summary.classes['GET blob'].latencyMs;
  t.ok(near(latency.max, 20), `max ${latency.max}`);
  t.equal(latency.count, 4);
  t.ok(near(latency.mean, (20 + 20 + 7 + 2) / 4), `mean ${latency.mean}`);
  t.match(summary.meta.cache, { 'memory hits': 1, 'file system hits': 1 });
});
