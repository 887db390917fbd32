import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { CHROMIUM, chartsOf, renderedDom } from '../../helpers/chromium.js';
import type { TraceRecord } from '../../helpers/fake-trace.js';
import { writeSynthTrace } from '../../../lib/trace/synth-files.js';

const SAMPLE = join(import.meta.dirname, '../../../examples/traces/prod-dal09-logstash-2017.06.20-0.json');

t.test(
  'drtp simulate runs the sample trace through the two-level cache; every layer access is counted once',
  async (t) => {
    const dir = t.testdir();
    const config = join(dir, 'sim.yaml');
    writeFileSync(
      config,
      `trace:\n  traces: [${SAMPLE}]\nsimulate:\n  name: two-level\n  args: {cache_size: 0.01, restrict_mb: 1, fs_multiplier: 4}\n`,
    );
    const result = await runCli(['simulate', config, '--json']);
    t.equal(result.code, 0, result.stderr);
    const { points } = JSON.parse(result.stdout) as {
      points: { model: string; args: unknown; stats: Record<string, number> }[];
    };
    t.equal(points.length, 1);
    t.equal(points[0].model, 'two-level');
    // The original's selection (failures included), layers only: computed here from the raw records.
    const records = JSON.parse(readFileSync(SAMPLE, 'utf8')) as TraceRecord[];
    const layerAccesses = records.filter(
      (r) =>
        ['GET', 'PUT'].includes(r['http.request.method'] as string) &&
        (r['http.request.uri'] as string).includes('/blobs/') &&
        (r['http.response.written'] as number) > 0,
    ).length;
    const s = points[0].stats;
    t.equal(s['memory hits'] + s['memory misses'], layerAccesses, 'hits + misses = layer requests');
    t.ok(
      s['file system evictions'] > 0 && s['file system hits'] > 0 && s['memory hits'] > 0,
      'both tiers at work at this size',
    );
    t.equal(s['lmu hits'], s['memory hits'] - s['initial memory hits']);

    const table = await runCli(['simulate', config]);
    t.match(table.stdout, /two-level \{"cache_size":0\.01,"restrict_mb":1,"fs_multiplier":4\}\n  memory hits +\d+/);
  },
);

t.test('an unknown model or a bad argument is a configuration error naming it', async (t) => {
  const dir = t.testdir();
  const write = (name: string, body: string): string => {
    writeFileSync(join(dir, name), `trace:\n  traces: [${SAMPLE}]\nsimulate:\n${body}`);
    return join(dir, name);
  };
  const unknown = await runCli(['simulate', write('a.yaml', '  name: belady-plus\n')]);
  t.equal(unknown.code, 2);
  t.match(
    unknown.stderr,
    /a\.yaml: \/simulate\/name: no built-in model "belady-plus" \(built-in: two-level, prefetch, lru, fifo, lfu, arc, s3-fifo, sieve, clock, 2q, w-tinylfu, gdsf, opt; the original's cache\.py and prefetch\.py; or the path of a \.py file, or a \.js, \.mjs or \.ts module\)/,
  );
  const bad = await runCli(['simulate', write('b.yaml', '  name: lru\n  args: {capacity_gb: lots}\n')]);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /E_CONFIG: lru: argument capacity_gb must be a non-negative number, not "lots"/);
});

t.test(
  'the example configurations run: every built-in model swept, and the two-level cache as a registry',
  async (t) => {
    const dir = t.testdir();
    const examples = join(import.meta.dirname, '../../../examples');
    const sweep = await runCli([
      'simulate',
      join(examples, 'simulate.yaml'),
      '--json',
      '--svg',
      join(dir, 'chart.svg'),
    ]);
    t.equal(sweep.code, 0, sweep.stderr);
    const points = (JSON.parse(sweep.stdout) as { points: { model: string; error?: unknown }[] }).points;
    t.same(
      [...new Set(points.map((p) => p.model))],
      [
        'two-level',
        'prefetch',
        'lru',
        'fifo',
        'lfu',
        'arc',
        's3-fifo',
        'sieve',
        'clock',
        '2q',
        'w-tinylfu',
        'gdsf',
        'opt',
      ],
    );
    t.same(
      points.filter((p) => p.error !== undefined),
      [],
      'no point failed',
    );
    t.equal(
      (readFileSync(join(dir, 'chart.svg'), 'utf8').match(/<polyline/g) ?? []).length,
      13,
      'a line per model with a cache size (all but prefetch), and the LRU curve',
    );
    if (CHROMIUM !== undefined) {
      const [chart] = chartsOf(renderedDom(join(dir, 'chart.svg'), dir));
      t.equal(chart.title, 'Hit ratio against cache size', 'Chromium renders the sweep chart');
      t.ok(chart.ticks.includes('0%') && chart.points > 0, `with hit ratios in %: ${chart.ticks.join(', ')}`);
    }
    const registry = await runCli(['simulate', join(examples, 'simulate-registry.yaml'), '--json']);
    t.equal(registry.code, 0, registry.stderr);
    const [point] = (
      JSON.parse(registry.stdout) as { points: { summary: { requests: { total: number; ok: number } } }[] }
    ).points;
    t.ok(
      point.summary.requests.total > 0 && point.summary.requests.ok === point.summary.requests.total,
      'a run summary, every request served',
    );
  },
);

t.test(
  'simulate.mrc: the exact LRU curve, as JSON, CSV and under the sweep in the chart, equals the simulated LRU points',
  async (t) => {
    const dir = t.testdir();
    const [trace] = await writeSynthTrace(dir, { requests: 20_000, seed: 21, maxLayerBytes: 1e6 });
    const sizes = [0.002, 0.005, 0.01, 0.02, 0.05];
    const config = join(dir, 'mrc.yaml');
    writeFileSync(
      config,
      `trace:\n  traces: [${trace}]\nsimulate:\n  name: lru\n  sweep:\n    capacity_gb: [${sizes.join(', ')}]\n  mrc:\n    sizes_gb: [${sizes.join(', ')}]\n`,
    );
    const result = await runCli([
      'simulate',
      config,
      '--json',
      '--svg',
      join(dir, 'chart.svg'),
      '--mrc-csv',
      join(dir, 'curve.csv'),
    ]);
    t.equal(result.code, 0, result.stderr);
    const { points, mrc } = JSON.parse(result.stdout) as {
      points: { args: { capacity_gb: number }; stats: Record<string, number> }[];
      mrc: { name: string; points: { bytes: number; missRatio: number; byteMissRatio: number }[] };
    };
    t.equal(mrc.name, 'LRU curve (exact)');
    for (const point of points) {
      const on = mrc.points.find((p) => p.bytes === point.args.capacity_gb * 1e9);
      t.equal(
        on?.missRatio,
        1 - point.stats['hit ratio'],
        `${point.args.capacity_gb} GB: the curve's miss ratio is the simulation's`,
      );
      t.equal(
        on?.byteMissRatio.toFixed(12),
        (1 - point.stats['byte hit ratio']).toFixed(12),
        `${point.args.capacity_gb} GB: and its byte miss ratio`,
      );
    }
    const csv = readFileSync(join(dir, 'curve.csv'), 'utf8').trim().split('\n');
    t.same(csv[0], 'cache_gb,miss_ratio,byte_miss_ratio');
    t.same(
      csv.slice(1).map((line) => Number(line.split(',')[0])),
      sizes,
      'a row per size',
    );
    const svg = readFileSync(join(dir, 'chart.svg'), 'utf8');
    t.equal((svg.match(/<polyline/g) ?? []).length, 2, 'the curve and the sweep');
    t.match(svg, /LRU curve \(exact\)/);

    // Sampled, without a sweep: a curve alone, named for its rate; --mrc-csv without simulate.mrc is a usage error.
    writeFileSync(config, `trace:\n  traces: [${trace}]\nsimulate:\n  mrc: {rate: 0.5, points: 8}\n`);
    const sampled = await runCli(['simulate', config]);
    t.equal(sampled.code, 0, sampled.stderr);
    t.match(sampled.stdout, /LRU curve \(SHARDS, 50%\), 8 sizes:/);
    writeFileSync(config, `trace:\n  traces: [${trace}]\nsimulate:\n  name: lru\n`);
    const usage = await runCli(['simulate', config, '--mrc-csv', join(dir, 'x.csv')]);
    t.equal(usage.code, 2);
    t.match(usage.stderr, /--mrc-csv needs simulate.mrc/);
  },
);

t.test('with simulate.latency, --csv, --svg and --mrc-csv are written as without it', async (t) => {
  const dir = t.testdir();
  const config = join(dir, 'sim.yaml');
  writeFileSync(
    config,
    `trace:\n  traces: [${SAMPLE}]\nsimulate:\n  name: two-level\n  args: {}\n  sweep: {cache_size: [0.01, 0.05]}\n  latency:\n    memory: {fixed_ms: 0.2, mb_per_s: 5000}\n    fs: {fixed_ms: 1, mb_per_s: 500}\n    backend: {fixed_ms: 20, mb_per_s: 100}\n  mrc: {}\n`,
  );
  const r = await runCli([
    'simulate',
    config,
    '--csv',
    join(dir, 'p.csv'),
    '--svg',
    join(dir, 'p.svg'),
    '--mrc-csv',
    join(dir, 'm.csv'),
  ]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /as a registry \(virtual time\)/);
  const csv = readFileSync(join(dir, 'p.csv'), 'utf8').trim().split('\n');
  t.match(csv[0], /^model,cache_size,memory hits/);
  t.same(
    csv.slice(1).map((l) => l.split(',').slice(0, 2)),
    [
      ['two-level', '0.01'],
      ['two-level', '0.05'],
    ],
    'a row per point',
  );
  t.match(readFileSync(join(dir, 'p.svg'), 'utf8'), /^<svg/);
  t.match(readFileSync(join(dir, 'm.csv'), 'utf8'), /^cache_gb,miss_ratio,byte_miss_ratio\n/);
  writeFileSync(
    join(dir, 'no-mrc.yaml'),
    `trace:\n  traces: [${SAMPLE}]\nsimulate:\n  name: lru\n  args: {cache_size: 0.01}\n`,
  );
  const without = await runCli(['simulate', join(dir, 'no-mrc.yaml'), '--mrc-csv', join(dir, 'x.csv')]);
  t.same(
    [without.code, without.stderr],
    [2, 'drtp: E_USAGE: --mrc-csv needs simulate.mrc in the configuration\n'],
    'refused before the sweep',
  );
});
