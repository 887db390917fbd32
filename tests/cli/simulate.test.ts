import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { CHROMIUM, chartsOf, renderedDom } from '../helpers/chromium.js';
import type { TraceRecord } from '../helpers/fake-trace.js';

const SAMPLE = join(import.meta.dirname, '../../examples/traces/prod-dal09-logstash-2017.06.20-0.json');

t.test('drtp simulate runs the sample trace through the two-level cache; every layer access is counted once', async (t) => {
  const dir = t.testdir();
  const config = join(dir, 'sim.yaml');
  writeFileSync(config, `trace:\n  traces: [${SAMPLE}]\nsimulate:\n  name: two-level\n  args: {cache_size: 0.01, restrict_mb: 1, fs_multiplier: 4}\n`);
  const result = await runCli(['simulate', config, '--json']);
  t.equal(result.code, 0, result.stderr);
  const { points } = JSON.parse(result.stdout) as { points: { model: string; args: unknown; stats: Record<string, number> }[] };
  t.equal(points.length, 1);
  t.equal(points[0].model, 'two-level');
  // The original's selection (failures included), layers only: computed here from the raw records.
  const records = JSON.parse(readFileSync(SAMPLE, 'utf8')) as TraceRecord[];
  const layerAccesses = records.filter((r) => ['GET', 'PUT'].includes(r['http.request.method'] as string) && (r['http.request.uri'] as string).includes('/blobs/') && (r['http.response.written'] as number) > 0).length;
  const s = points[0].stats;
  t.equal(s['memory hits'] + s['memory misses'], layerAccesses, 'hits + misses = layer requests');
  t.ok(s['file system evictions'] > 0 && s['file system hits'] > 0 && s['memory hits'] > 0, 'both tiers at work at this size');
  t.equal(s['lmu hits'], s['memory hits'] - s['initial memory hits']);

  const table = await runCli(['simulate', config]);
  t.match(table.stdout, /two-level \{"cache_size":0\.01,"restrict_mb":1,"fs_multiplier":4\}\n  memory hits +\d+/);
});

t.test('an unknown model or a bad argument is a configuration error naming it', async (t) => {
  const dir = t.testdir();
  const write = (name: string, body: string): string => {
    writeFileSync(join(dir, name), `trace:\n  traces: [${SAMPLE}]\nsimulate:\n${body}`);
    return join(dir, name);
  };
  const unknown = await runCli(['simulate', write('a.yaml', '  name: belady-plus\n')]);
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /E_CONFIG: simulate.name: no built-in model "belady-plus" \(built-in: two-level, prefetch, lru, fifo, lfu, arc, s3-fifo, sieve, clock, 2q, w-tinylfu, gdsf, opt; or a .js, .mjs or .ts module path\)/);
  const bad = await runCli(['simulate', write('b.yaml', '  name: lru\n  args: {capacity_gb: lots}\n')]);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /E_CONFIG: lru: argument capacity_gb must be a non-negative number, not "lots"/);
});

t.test('the example configurations run: every built-in model swept, and the two-level cache as a registry', async (t) => {
  const dir = t.testdir();
  const examples = join(import.meta.dirname, '../../examples');
  const sweep = await runCli(['simulate', join(examples, 'simulate.yaml'), '--json', '--svg', join(dir, 'chart.svg')]);
  t.equal(sweep.code, 0, sweep.stderr);
  const points = (JSON.parse(sweep.stdout) as { points: { model: string; error?: unknown }[] }).points;
  t.same([...new Set(points.map((p) => p.model))], ['two-level', 'prefetch', 'lru', 'fifo', 'lfu', 'arc', 's3-fifo', 'sieve', 'clock', '2q', 'w-tinylfu', 'gdsf', 'opt']);
  t.same(points.filter((p) => p.error !== undefined), [], 'no point failed');
  t.equal((readFileSync(join(dir, 'chart.svg'), 'utf8').match(/<polyline/g) ?? []).length, 12, 'a line per model with a cache size (all but prefetch)');
  if (CHROMIUM !== undefined) {
    const [chart] = chartsOf(renderedDom(join(dir, 'chart.svg'), dir));
    t.equal(chart.title, 'Hit ratio against cache size', 'Chromium renders the sweep chart');
    t.ok(chart.ticks.includes('0%') && chart.points > 0, `with hit ratios in %: ${chart.ticks.join(', ')}`);
  }
  const registry = await runCli(['simulate', join(examples, 'simulate-registry.yaml'), '--json']);
  t.equal(registry.code, 0, registry.stderr);
  const [point] = (JSON.parse(registry.stdout) as { points: { summary: { requests: { total: number; ok: number } } }[] }).points;
  t.ok(point.summary.requests.total > 0 && point.summary.requests.ok === point.summary.requests.total, 'a run summary, every request served');
});
