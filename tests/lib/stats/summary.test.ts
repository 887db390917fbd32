import t from 'tap';
import { OP_NAMES } from '../../../lib/contract/ops.js';
import type { EngineReport } from '../../../lib/contract/replay.js';
import { summarizeSparse } from '../../../lib/stats/histogram.js';
import { Recorder } from '../../../lib/stats/recorder.js';
import { buildSummary, mergeReports } from '../../../lib/stats/summary.js';

/** Sparse counts of `n` durations spread over several buckets, from `seed`. */
function durations(n: number, seed: number): Float64Array {
  const r = new Recorder();
  for (let i = 0; i < n; i++) r.recordMs(((i * 7919 + seed * 104729) % 100_000) / 997 + seed);
  return r.sparse();
}

/** A worker's report in which GET blob is the only class, every histogram its own array. */
function report(seed: number): EngineReport {
  const latency = durations(500 + seed, seed);
  const service = durations(500 + seed, seed + 1);
  const ttfb = durations(500 + seed, seed + 2);
  const ops = OP_NAMES.map(() => [0, 0, 0, 0]);
  ops[0] = [500 + seed, 500 + seed, 0, 1000];
  const copy = (a: Float64Array): Float64Array => a.slice();
  return {
    sent: 500 + seed,
    ok: 500 + seed,
    failed: 0,
    queued: 0,
    lateSent: 0,
    late: 0,
    bytes: 1000,
    ops,
    errors: {},
    histograms: {
      'GET blob.latency': latency,
      'GET blob.service': service,
      'GET blob.ttfb': ttfb,
      'all.latency': copy(latency),
      'all.service': copy(service),
      'size:<1MB.latency': copy(latency),
      'registry:0.latency': copy(latency),
      'size:1-10MB.latency': new Float64Array(0),
    },
    firstSentMs: seed,
    lastDoneMs: 1000 + seed,
  };
}

t.test("merged histograms are the exact sums of the workers'", async (t) => {
  const reports = [report(1), report(2), report(3)];
  const h = mergeReports(reports).histograms;
  for (const name of Object.keys(h)) {
    const sum = new Recorder();
    for (const r of reports) sum.addSparse(r.histograms[name]);
    t.same(h[name], sum.sparse(), `${name}: the sum of the workers'`);
  }
  t.same(h['all.latency'], h['GET blob.latency'], 'one class: all requests are its requests');
});

t.test('a summary reads each figure from its own histogram, with hdr-histogram-js', async (t) => {
  const merged = mergeReports([report(1), report(2)]);
  const summary = buildSummary(merged, {}, ['r'], {}, 0);
  const h = merged.histograms;
  t.same(summary.latencyMs, summarizeSparse(h['all.latency']).percentiles);
  t.same(summary.serviceMs, summarizeSparse(h['all.service']).percentiles);
  t.same(summary.classes['GET blob'].ttfbMs, summarizeSparse(h['GET blob.ttfb']).percentiles);
  t.same(summary.sizeClasses['1-10MB'], summarizeSparse(new Float64Array(0)).percentiles);
  for (const name of Object.keys(h))
    t.equal(summary.histograms[name], summarizeSparse(h[name]).encoded, `${name} encoded`);
  t.ok(summary.latencyMs.count > 0 && summary.latencyMs.p99 > summary.latencyMs.p50, 'percentiles read');
});
