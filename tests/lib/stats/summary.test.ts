import t from 'tap';
import { OP_NAMES } from '../../../lib/contract/ops.js';
import type { EngineReport } from '../../../lib/contract/replay.js';
import { encodeSparse, percentilesOfSparse } from '../../../lib/stats/histogram.js';
import { Recorder } from '../../../lib/stats/recorder.js';
import { buildSummary, mergeReports } from '../../../lib/stats/summary.js';

/** Sparse counts of `n` durations spread over several buckets, from `seed`. */
function durations(n: number, seed: number): Float64Array {
  const r = new Recorder();
  for (let i = 0; i < n; i++) r.recordMs(((i * 7919 + seed * 104729) % 100_000) / 997 + seed);
  return r.sparse();
}

/** A worker's report in which GET blob is the only class: its histograms share arrays, as the engine's do. */
function report(seed: number): EngineReport {
  const latency = durations(500 + seed, seed);
  const service = durations(500 + seed, seed + 1);
  const ttfb = durations(500 + seed, seed + 2);
  const ops = OP_NAMES.map(() => [0, 0, 0, 0]);
  ops[0] = [500 + seed, 500 + seed, 0, 1000];
  return {
    sent: 500 + seed,
    ok: 500 + seed,
    failed: 0,
    late: 0,
    bytes: 1000,
    ops,
    errors: {},
    histograms: { 'GET blob.latency': latency, 'GET blob.service': service, 'GET blob.ttfb': ttfb, 'all.latency': latency, 'all.service': service, 'size:<1MB.latency': latency, 'registry:0.latency': latency, 'size:1-10MB.latency': new Float64Array(0) },
    firstSentMs: seed,
    lastDoneMs: 1000 + seed,
  };
}

/** The same report with every histogram its own array. */
const unshared = (r: EngineReport): EngineReport => ({ ...r, histograms: Object.fromEntries(Object.entries(r.histograms).map(([name, a]) => [name, Float64Array.from(a)])) });

t.test('histograms shared in every report merge once and stay shared; the sums are exact', async (t) => {
  const reports = [report(1), report(2), report(3)];
  const merged = mergeReports(reports);
  const h = merged.histograms;
  t.equal(h['all.latency'], h['GET blob.latency']);
  t.equal(h['size:<1MB.latency'], h['GET blob.latency']);
  t.equal(h['registry:0.latency'], h['GET blob.latency']);
  t.not(h['all.service'], h['all.latency']);
  for (const name of Object.keys(h)) {
    const sum = new Recorder();
    for (const r of reports) sum.addSparse(r.histograms[name]);
    t.same(h[name], sum.sparse(), `${name}: the sum of the workers'`);
  }
  t.same(mergeReports(reports.map(unshared)).histograms, h, 'the same counts as merging unshared arrays');
  const one = mergeReports([reports[0]]);
  t.equal(one.histograms['all.latency'], reports[0].histograms['all.latency'], "a single report's arrays pass through");
});

t.test('a summary reads and encodes a shared array once, and says what it would say of copies', async (t) => {
  const merged = mergeReports([report(1), report(2)]);
  const copies = unshared(merged);
  const shared = buildSummary(merged, {}, ['r'], {}, 0);
  t.same(shared, buildSummary(copies, {}, ['r'], {}, 0));
  t.equal(shared.histograms['all.latency'], shared.histograms['GET blob.latency']);
  // Each figure is its own histogram's, read and encoded on its own.
  const h = merged.histograms;
  t.same(shared.latencyMs, percentilesOfSparse(h['all.latency']));
  t.same(shared.serviceMs, percentilesOfSparse(h['all.service']));
  t.same(shared.classes['GET blob'].ttfbMs, percentilesOfSparse(h['GET blob.ttfb']));
  t.same(shared.sizeClasses['1-10MB'], percentilesOfSparse(new Float64Array(0)));
  for (const name of Object.keys(h)) t.equal(shared.histograms[name], encodeSparse(h[name]), `${name} encoded`);
  t.ok(shared.latencyMs.count > 0 && shared.latencyMs.p99 > shared.latencyMs.p50, 'percentiles read');
});
