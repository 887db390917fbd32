import t from 'tap';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import type { TraceRecord } from '../../helpers/fake-trace.js';
import { writeSynthTrace } from '../../../lib/trace/synth-files.js';
import type { OriginalRequest } from '../../../lib/simulation/user-model.js';

const MODELS = join(import.meta.dirname, '../../fixtures/models');
const COMPAT = join(import.meta.dirname, '../../fixtures/compat/original-config.yaml');

/** The original master.py's get_requests, written again from its source: its filter, its stable sort by time, its delay. */
function originalList(files: string[]): OriginalRequest[] {
  const kept: (OriginalRequest & { at: number })[] = [];
  for (const file of files) {
    for (const r of JSON.parse(readFileSync(file, 'utf8')) as TraceRecord[]) {
      const method = r['http.request.method'] as string;
      const uri = r['http.request.uri'] as string;
      const size = r['http.response.written'] as number;
      if ((method === 'GET' || method === 'PUT') && (uri.includes('manifest') || uri.includes('blobs')) && size > 0) {
        kept.push({
          at: Date.parse(r.timestamp as string),
          delay: 0,
          uri,
          size,
          method,
          duration: r['http.request.duration'] as number,
          client: r['http.request.remoteaddr'] as string,
        });
      }
    }
  }
  kept.sort((a, b) => a.at - b.at);
  return kept.map(({ at, ...r }) => ({ ...r, delay: (at - kept[0].at) / 1000 }));
}

async function synth(dir: string): Promise<string[]> {
  return writeSynthTrace(join(dir, 'traces'), { requests: 3000, seed: 28, files: 2 });
}

t.test(
  "a Python model gets the original's request list, field by field, with and without args; its return value is the point's stats",
  async (t) => {
    const dir = t.testdir();
    const files = await synth(dir);
    const out = join(dir, 'requests.json');
    writeFileSync(
      join(dir, 'with.yaml'),
      `trace: {location: traces, traces: [${files.map((f) => f.split('/').pop()).join(', ')}]}\nsimulate:\n  name: ${join(MODELS, 'echo.py')}\n  args: {out: ${out}}\n`,
    );
    const run = await runCli(['simulate', join(dir, 'with.yaml'), '--json']);
    t.equal(run.code, 0, run.stderr);
    const expected = originalList(files);
    const got = JSON.parse(readFileSync(out, 'utf8')) as OriginalRequest[];
    t.equal(got.length, expected.length, `${expected.length} requests, as the original kept`);
    const wrong = got.filter((r, i) => {
      const e = expected[i];
      return (
        r.uri !== e.uri ||
        r.size !== e.size ||
        r.method !== e.method ||
        r.client !== e.client ||
        Math.abs(r.delay - e.delay) > 1e-9 ||
        Math.fround(r.duration) !== Math.fround(e.duration)
      );
    });
    t.same(wrong.slice(0, 3), [], 'every field of every request (duration to float32, as drtp keeps it)');
    const { points } = JSON.parse(run.stdout) as {
      points: { stats: { requests: number; args: unknown; types: Record<string, string> } }[];
    };
    t.same(
      points[0].stats,
      {
        requests: expected.length,
        args: { out },
        types: { delay: 'float', uri: 'str', size: 'int', method: 'str', duration: 'float', client: 'str' },
      },
      "what init returned is the stats, with the original's field types",
    );

    writeFileSync(
      join(dir, 'without.yaml'),
      `trace: {location: traces, traces: [${files.map((f) => f.split('/').pop()).join(', ')}]}\nsimulate:\n  name: ${join(MODELS, 'echo.py')}\n`,
    );
    const bare = await runCli(['simulate', join(dir, 'without.yaml')]);
    t.equal(bare.code, 0, bare.stderr);
    t.match(bare.stdout, /echo\.py \n  requests +\d+\n  args +null/, 'init(requests): args was not passed');
  },
);

t.test('a sweep over a Python model runs on two workers; a point that raises fails alone', async (t) => {
  const dir = t.testdir();
  const files = await synth(dir);
  writeFileSync(
    join(dir, 'sweep.yaml'),
    `trace: {location: traces, traces: [${files.map((f) => f.split('/').pop()).join(', ')}]}\nsimulate:\n  name: ${join(MODELS, 'sweep.py')}\n  sweep: {k: [1, 2, 3, 4]}\n`,
  );
  const run = await runCli(['simulate', join(dir, 'sweep.yaml'), '--workers', '2', '--json']);
  t.equal(run.code, 0, run.stderr);
  const { points } = JSON.parse(run.stdout) as {
    points: { args: { k: number }; stats?: { k: number }; error?: { code: string; message: string } }[];
  };
  t.same(
    points.map((p) => p.stats?.k ?? p.error?.code),
    [1, 'E_CONFIG', 3, 4],
  );
  t.match(
    points[1].error?.message ?? '',
    /sweep\.py: init\(\) raised ValueError: k may not be 2 \(File ".*sweep\.py", line 4, in init\)/,
  );
});

t.test(
  "what goes wrong in a Python model is E_CONFIG (exit 2) naming the file, with the traceback's last frame",
  async (t) => {
    const dir = t.testdir();
    const files = await synth(dir);
    const traces = `trace: {location: traces, traces: [${files.map((f) => f.split('/').pop()).join(', ')}]}\n`;
    const cases: { model: string; extra?: string; says: RegExp }[] = [
      {
        model: 'boom.py',
        says: /boom\.py: init\(\) raised ZeroDivisionError: division by zero \(File ".*boom\.py", line 3, in init\)/,
      },
      {
        model: 'syntax.py',
        says: /syntax\.py: cannot load the model: SyntaxError: .* \(File ".*syntax\.py", line 1\)/,
      },
      { model: 'noinit.py', says: /noinit\.py: the model defines no init\(requests, args\) function/ },
      {
        model: 'echo.py',
        extra: '  python: /nowhere/python3\n',
        says: /echo\.py: no Python to run it: \/nowhere\/python3 is not on the PATH/,
      },
    ];
    for (const { model, extra, says } of cases) {
      writeFileSync(join(dir, 'e.yaml'), `${traces}simulate:\n  name: ${join(MODELS, model)}\n${extra ?? ''}`);
      const run = await runCli(['simulate', join(dir, 'e.yaml')]);
      t.equal(run.code, 2, `${model}: exit 2`);
      t.match(
        run.stderr,
        new RegExp(`drtp: E_CONFIG: .*${says.source}`),
        `${model}: ${run.stderr.trim().split('\n').pop()}`,
      );
    }
  },
);

t.test("the original's own example configuration simulates unchanged: cache.py is the original's model", async (t) => {
  const dir = t.testdir();
  await synth(dir); // ./traces/prod-dal09-logstash-2017.06.20-0.json and -1.json, as the example names them
  copyFileSync(COMPAT, join(dir, 'config.yaml'));
  const valid = await runCli(['validate', join(dir, 'config.yaml')]);
  t.equal(valid.code, 0, valid.stdout + valid.stderr);
  const run = await runCli(['simulate', join(dir, 'config.yaml')]);
  t.equal(run.code, 0, run.stderr);
  const lines = run.stdout.slice(run.stdout.indexOf("cache.py, the original's counters:")).trim().split('\n').slice(1);
  t.same(
    lines.map((l) => l.replace(/: \d+$/, '')),
    ['10', '15', '20'].flatMap((fs) => ['lmu hits', 'lmu misses', 'h hits', 'h misses'].map((n) => `0 ${fs} ${n}`)),
    "the original's twelve counters",
  );
  // They are the two-level cache's at 8 GB with file-system tiers of 10, 15 and 20 times that.
  writeFileSync(
    join(dir, 'two.yaml'),
    `trace: {location: traces, traces: [prod-dal09-logstash-2017.06.20-0.json, prod-dal09-logstash-2017.06.20-1.json], limit: {type: requests, amount: 5000}}\nsimulate:\n  name: two-level\n  args: {cache_size: 8, restrict_mb: 100}\n  sweep: {fs_multiplier: [10, 15, 20]}\n`,
  );
  const two = await runCli(['simulate', join(dir, 'two.yaml'), '--json']);
  const stats = (JSON.parse(two.stdout) as { points: { stats: Record<string, number> }[] }).points.map((p) => p.stats);
  t.same(
    lines.map((l) => Number(l.split(': ')[1])),
    stats.flatMap((s) => [s['lmu hits'], s['lmu misses'], s['h hits'], s['h misses']]),
  );
  // A cache.py that is there is the user's own: run as a Python model.
  copyFileSync(join(MODELS, 'echo.py'), join(dir, 'cache.py'));
  const own = await runCli(['simulate', join(dir, 'config.yaml')]);
  t.equal(own.code, 0, own.stderr);
  const replayable = Number(/replayable ([\d,]+)/.exec(own.stdout)?.[1].replace(/,/g, ''));
  t.ok(
    replayable > 2000 && replayable < 5000,
    `the trace's ${replayable} layer and manifest requests, under the limit of 5,000`,
  );
  t.match(
    own.stdout,
    new RegExp(`cache\\.py \\{"cache_size":8\\}\\n  requests +${replayable}\\n`),
    "every one of them handed to the user's model",
  );
});

t.test("prefetch.py is the original's prefetcher: 16 timeout pairs, its lines in args.outfile", async (t) => {
  const dir = t.testdir();
  const files = await synth(dir);
  const traces = `trace: {location: traces, traces: [${files.map((f) => f.split('/').pop()).join(', ')}]}\n`;
  writeFileSync(join(dir, 'p.yaml'), `${traces}simulate:\n  name: prefetch.py\n  args: {outfile: out/prefetch.txt}\n`);
  mkdirSync(join(dir, 'out'));
  const run = await runCli(['simulate', join(dir, 'p.yaml'), '--json']);
  t.equal(run.code, 0, run.stderr);
  const lines = readFileSync(join(dir, 'out/prefetch.txt'), 'utf8').trim().split('\n');
  t.equal(lines.length, 16);
  t.ok(
    lines.every((l) => /^(\d+\.\d+(e-\d\d)?|nan),\d+$/.test(l)),
    `ratio,max size lines: ${lines[0]}`,
  );
  const { points } = JSON.parse(run.stdout) as {
    points: { args: { rtimeout: number; mtimeout: number; compat: string }; stats: Record<string, number> }[];
  };
  t.same(
    points.map((p) => [p.args.rtimeout, p.args.mtimeout]).slice(0, 5),
    [
      [600, 600],
      [600, 3600],
      [600, 43200],
      [600, 86400],
      [3600, 600],
    ],
    "in the original's order",
  );
  t.same(
    lines.map((l) => Number(l.split(',')[0])),
    points.map((p) => p.stats.hits / (p.stats['good prefetch'] + p.stats['bad prefetch'])),
  );
  writeFileSync(join(dir, 'q.yaml'), `${traces}simulate:\n  name: prefetch.py\n`);
  const missing = await runCli(['simulate', join(dir, 'q.yaml')]);
  t.same(
    [missing.code, missing.stderr],
    [2, "drtp: E_CONFIG: simulate: the original's prefetch.py needs simulate.args.outfile (where its lines go)\n"],
  );
});

t.test('validate refuses a model that is no built-in and no file', async (t) => {
  const dir = t.testdir();
  for (const [name, says] of [
    ['nowhere.py', /\/simulate\/name: model file .*nowhere\.py does not exist/],
    ['nowhere.mjs', /\/simulate\/name: model file .*nowhere\.mjs does not exist/],
    ['lruu', /\/simulate\/name: no built-in model "lruu"/],
  ] as const) {
    writeFileSync(join(dir, 'v.yaml'), `trace: {traces: [t.json]}\nsimulate:\n  name: ${name}\n`);
    const v = await runCli(['validate', join(dir, 'v.yaml')]);
    t.equal(v.code, 2, name);
    t.match(v.stdout + v.stderr, says);
  }
});
