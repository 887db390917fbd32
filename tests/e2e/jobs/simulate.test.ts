import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import type { TraceRecord } from '../../helpers/fake-trace.js';

const SAMPLE = join(import.meta.dirname, '../../../examples/traces/prod-dal09-logstash-2017.06.20-0.json');
const MODELS = join(import.meta.dirname, '../../fixtures/models');

function config(dir: string, simulate: string): string {
  const path = join(dir, 'sim.yaml');
  writeFileSync(path, `trace:\n  traces: [${SAMPLE}]\nsimulate:\n${simulate}`);
  return path;
}

t.test('a sweep gives the same points on 1 and 2 workers, and writes a CSV table and an SVG chart', async (t) => {
  const dir = t.testdir();
  const path = config(dir, '  name: [lru, fifo, s3-fifo]\n  sweep:\n    capacity_gb: [0.005, 0.02, 0.05, 0.1]\n');
  const one = await runCli(['simulate', path, '--json', '--workers', '1']);
  const two = await runCli([
    'simulate',
    path,
    '--json',
    '--workers',
    '2',
    '--csv',
    join(dir, 'points.csv'),
    '--svg',
    join(dir, 'chart.svg'),
  ]);
  t.equal(one.code, 0, one.stderr);
  t.equal(two.code, 0, two.stderr);
  const points = (
    JSON.parse(two.stdout) as {
      points: { model: string; args: { capacity_gb: number }; stats: Record<string, number> }[];
    }
  ).points;
  t.equal(points.length, 12, 'three models at four sizes');
  t.same(JSON.parse(one.stdout), JSON.parse(two.stdout), 'identical on 1 and 2 workers');
  for (const model of ['lru', 'fifo', 's3-fifo']) {
    const ratios = points.filter((p) => p.model === model).map((p) => p.stats['hit ratio']);
    t.same(
      ratios,
      [...ratios].sort((a, b) => a - b),
      `${model}: hit ratio grows with the cache`,
    );
  }
  const csv = readFileSync(join(dir, 'points.csv'), 'utf8').trim().split('\n');
  t.equal(csv.length, 13);
  t.match(csv[0], /^model,capacity_gb,requests,hits,hit ratio,bytes,byte hits,byte hit ratio,evictions,error$/);
  const svg = readFileSync(join(dir, 'chart.svg'), 'utf8');
  t.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  t.equal((svg.match(/<polyline/g) ?? []).length, 3, 'one line per model');
  t.notMatch(svg, /<script|href=/, 'self-contained');
});

t.test('user models: JS and TS, with and without args, in the original plugin shape', async (t) => {
  const dir = t.testdir();
  const records = JSON.parse(readFileSync(SAMPLE, 'utf8')) as TraceRecord[];
  const replayable = records.filter(
    (r) =>
      ['GET', 'PUT'].includes(r['http.request.method'] as string) &&
      /\/(blobs|manifests)\//.test(r['http.request.uri'] as string) &&
      (r['http.response.written'] as number) > 0,
  );
  const noArgs = await runCli(['simulate', config(dir, `  name: ${join(MODELS, 'count.mjs')}\n`), '--json']);
  t.equal(noArgs.code, 0, noArgs.stderr);
  t.same(
    JSON.parse(noArgs.stdout).points[0].stats,
    {
      arity: 1,
      requests: replayable.length,
      firstDelay: 0,
      sorted: true,
      fields: ['client', 'delay', 'duration', 'method', 'size', 'uri'],
      args: null,
    },
    'init(requests) without args',
  );
  const withArgs = await runCli([
    'simulate',
    config(dir, `  name: ${join(MODELS, 'count.mjs')}\n  args: {cache_size: 8}\n`),
    '--json',
  ]);
  t.match(JSON.parse(withArgs.stdout).points[0].stats, { arity: 2, args: { cache_size: 8 } }, 'init(requests, args)');
  const ts = await runCli([
    'simulate',
    config(
      dir,
      `  name: ../../fixtures/models/bytes.ts\n  sweep:\n    factor: [1, 2]\n`.replace(
        '../../fixtures/models/bytes.ts',
        join(MODELS, 'bytes.ts'),
      ),
    ),
    '--json',
  ]);
  t.equal(ts.code, 0, ts.stderr);
  const layerBytes = replayable
    .filter((r) => r['http.request.method'] === 'GET' && (r['http.request.uri'] as string).includes('/blobs/'))
    .reduce((s, r) => s + (r['http.response.written'] as number), 0);
  t.same(
    (JSON.parse(ts.stdout) as { points: { stats: unknown }[] }).points.map((p) => p.stats),
    [{ layerBytes }, { layerBytes: 2 * layerBytes }],
    'a TypeScript model, swept',
  );
});

t.test('a model that throws is reported with its file; the sweep goes on', async (t) => {
  const dir = t.testdir();
  const broken = join(MODELS, 'throws.mjs');
  const result = await runCli([
    'simulate',
    config(dir, `  name: [${broken}, lru]\n  args: {capacity_gb: 0.01}\n`),
    '--json',
  ]);
  t.equal(result.code, 0, 'the other point succeeded');
  const [bad, good] = (
    JSON.parse(result.stdout) as {
      points: { error?: { code: string; message: string }; stats?: Record<string, number> }[];
    }
  ).points;
  t.match(bad.error, { code: 'E_CONFIG', message: `${broken}: init() threw: this model is broken on purpose` });
  t.ok((good.stats?.requests ?? 0) > 0);
  t.match(result.stderr, `drtp: E_CONFIG: ${broken}: init() threw`);
});

t.test('a sharded sweep: the shards split the points between them', async (t) => {
  const dir = t.testdir();
  const path = config(dir, '  name: [lru, fifo]\n  sweep:\n    capacity_gb: [0.01, 0.02, 0.03]\n');
  const all = (JSON.parse((await runCli(['simulate', path, '--json'])).stdout) as { points: unknown[] }).points;
  const parts = await Promise.all(
    [0, 1].map(
      async (i) =>
        (JSON.parse((await runCli(['simulate', path, '--json', '--shard', `${i}/2`])).stdout) as { points: unknown[] })
          .points,
    ),
  );
  t.equal(parts[0].length + parts[1].length, all.length);
  t.same(
    [...parts[0], ...parts[1]].map((p) => JSON.stringify(p)).sort(),
    all.map((p) => JSON.stringify(p)).sort(),
    'together, every point once',
  );
});

t.test('sweeps apply to the models that take the argument; an argument no model takes is an error', async (t) => {
  const dir = t.testdir();
  const both = await runCli([
    'simulate',
    config(
      dir,
      '  name: [two-level, lru]\n  sweep:\n    cache_size: [0.01, 0.02]\n    capacity_gb: [0.01, 0.02, 0.03]\n',
    ),
    '--json',
  ]);
  const points = (JSON.parse(both.stdout) as { points: { model: string; args: Record<string, number> }[] }).points;
  t.same(
    points.map((p) => `${p.model} ${JSON.stringify(p.args)}`),
    [
      'two-level {"cache_size":0.01}',
      'two-level {"cache_size":0.02}',
      'lru {"capacity_gb":0.01}',
      'lru {"capacity_gb":0.02}',
      'lru {"capacity_gb":0.03}',
    ],
  );
  const typo = await runCli(['simulate', config(dir, '  name: lru\n  args: {capacity_gib: 1}\n')]);
  t.equal(typo.code, 2);
  t.match(typo.stderr, 'simulate: no model takes the argument "capacity_gib" (lru: capacity_gb, admit_max_mb)');
});

t.test(
  'a simulated registry runs its points on the pool, and shards split them: together every point once',
  async (t) => {
    const dir = t.testdir();
    const path = config(
      dir,
      '  name: [lru, fifo]\n  sweep:\n    capacity_gb: [0.01, 0.05, 0.1]\n  latency:\n    backend: {fixed_ms: 20, mb_per_s: 100}\n',
    );
    type Point = {
      model: string;
      args: Record<string, number>;
      stats: { requests: number };
      summary: { requests: { total: number; ok: number } };
    };
    const whole = JSON.parse((await runCli(['simulate', path, '--json', '--workers', '2'])).stdout) as {
      points: Point[];
    };
    t.equal(whole.points.length, 6);
    t.ok(
      whole.points.every((p) => p.summary.requests.ok === p.summary.requests.total && p.summary.requests.total > 0),
      'each point is a whole replay',
    );
    t.ok(
      whole.points.every((p) => p.stats.requests > 0),
      "and carries its cache's counters",
    );
    const parts = await Promise.all(
      [0, 1].map(
        async (i) =>
          (JSON.parse((await runCli(['simulate', path, '--json', '--shard', `${i}/2`])).stdout) as { points: Point[] })
            .points,
      ),
    );
    t.equal(parts[0].length + parts[1].length, 6, 'the shards split the points');
    const key = (p: Point): string => `${p.model} ${JSON.stringify(p.args)}`;
    t.same([...parts[0], ...parts[1]].map(key).sort(), whole.points.map(key).sort(), 'together, every point once');
    const byKey = (a: Point, b: Point): number => key(a).localeCompare(key(b));
    t.same([...parts[0], ...parts[1]].sort(byKey), [...whole.points].sort(byKey), 'the same numbers sharded or not');
  },
);
