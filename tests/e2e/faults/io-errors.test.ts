import t from 'tap';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { writeSynthTrace } from '../../../lib/trace/synth-files.js';
import { runBinOnSmallDisk, runCli } from '../../helpers/cli.js';
import { FakeTrace, writeTrace } from '../../helpers/fake-trace.js';
import { withRegistry } from '../../helpers/registry.js';

const config = (dir: string, body: string): string => {
  const path = join(dir, 'config.yaml');
  writeFileSync(path, body);
  return path;
};

t.test('a trace directory without trace files: E_IO naming it, exit 4, in run, analyze and import', async (t) => {
  const dir = t.testdir({ traces: { 'notes.txt': 'not a trace' }, 'interm.json': '{}' });
  const traces = join(dir, 'traces');
  const expected = `drtp: E_IO: cannot read trace directory ${traces}: it holds no trace files (.json, .json.gz, .ndjson, .drtp, .tar, .tar.gz, .oracleGeneral)\n`;
  const run = await runCli([
    'run',
    config(dir, 'trace: {traces: [traces]}\nregistry: [127.0.0.1:1]\nwarmup: {output: interm.json}\n'),
  ]);
  t.same([run.code, run.stderr], [4, expected], 'run');
  const analyze = await runCli(['analyze', traces]);
  t.same([analyze.code, analyze.stderr], [4, expected], 'analyze');
  const imported = await runCli(['import', traces, '--out', join(dir, 'x.drtp')]);
  t.same([imported.code, imported.stderr], [4, expected], 'import');
});

t.test('a missing trace file is named; a corrupt gzip is bad trace content with file and offset', async (t) => {
  const dir = t.testdir();
  const missing = await runCli(['import', join(dir, 'nope.json'), '--out', join(dir, 'x.drtp')]);
  t.same(
    [missing.code, missing.stderr],
    [4, `drtp: E_IO: cannot read trace file ${join(dir, 'nope.json')}: no such file or directory (ENOENT)\n`],
  );
  const whole = gzipSync(new FakeTrace().add('GET', 'v2/u/r/blobs/a').add('GET', 'v2/u/r/blobs/b').json());
  const corrupt = Buffer.from(whole);
  corrupt.fill(0x55, 20, corrupt.length - 8);
  writeFileSync(join(dir, 'bad.json.gz'), corrupt);
  const bad = await runCli(['import', join(dir, 'bad.json.gz'), '--out', join(dir, 'x.drtp')]);
  t.equal(bad.code, 2);
  t.match(
    bad.stderr,
    new RegExp(
      `^drtp: E_TRACE_PARSE: ${join(dir, 'bad.json.gz')}:\\d+: not valid gzip data after \\d+ decompressed bytes`,
    ),
  );
});

t.test('results under a path whose parent is a file: E_IO naming it, exit 4, nothing written', async (t) => {
  const dir = t.testdir({ 'interm.json': '{}' });
  writeTrace(dir, 'trace.json', new FakeTrace().add('PUT', 'v2/u/r/blobs/p', { size: 100 }).json());
  const run = await runCli([
    'run',
    config(
      dir,
      'trace: {traces: [trace.json], output: trace.json/out.ndjson}\nregistry: [127.0.0.1:1]\nwarmup: {output: interm.json}\n',
    ),
  ]);
  t.equal(run.code, 4);
  t.match(
    run.stderr,
    `drtp: E_IO: cannot write trace.output (the results) ${join(dir, 'trace.json/out.ndjson')}: ${join(dir, 'trace.json')} is not a directory`,
    'found before anything is read or sent',
  );
});

t.test('a trace that only pushes runs with the empty map its warmup wrote', async (t) => {
  const registry = await withRegistry(t);
  const dir = t.testdir();
  writeTrace(
    dir,
    'trace.json',
    new FakeTrace()
      .add('PUT', 'v2/u/r/blobs/p1', { size: 100 })
      .add('PUT', 'v2/u/r/blobs/p2', { size: 200, atMs: 5 })
      .json(),
  );
  const path = config(
    dir,
    `trace: {traces: [trace.json], output: out/results.ndjson}\nregistry: [${registry.host}]\nwarmup: {output: interm.json}\n`,
  );
  const warm = await runCli(['warmup', path]);
  t.equal(warm.code, 0, warm.stderr);
  t.same(JSON.parse(readFileSync(join(dir, 'interm.json'), 'utf8')), {});
  const run = await runCli(['run', path]);
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, 'requests  2 total: 2 ok, 0 failed, 0 skipped');
  const fresh = t.testdir();
  writeTrace(fresh, 'trace.json', new FakeTrace().add('PUT', 'v2/u/r/blobs/p1').json());
  const unwarmed = await runCli([
    'run',
    config(fresh, `trace: {traces: [trace.json]}\nregistry: [${registry.host}]\nwarmup: {output: interm.json}\n`),
  ]);
  t.equal(unwarmed.code, 2);
  t.match(unwarmed.stderr, `warmup map ${join(fresh, 'interm.json')} is missing: run \`drtp warmup`);
});

t.test(
  'a full disk while a run writes its rows: E_IO naming the results file, exit 4, the old results kept',
  async (t) => {
    const registry = await withRegistry(t);
    const dir = t.testdir({ out: {} });
    await writeSynthTrace(dir, { requests: 3000, seed: 8, maxLayerBytes: 20_000, rate: 500 });
    const path = config(
      dir,
      `client_info: {threads: 2, wait: false}\ntrace: {traces: [prod-dal09-logstash-2017.06.20-0.json], output: out/results.ndjson}\nregistry: [${registry.host}]\nwarmup: {output: interm.json, threads: 8}\n`,
    );
    const warm = await runCli(['warmup', path]);
    t.equal(warm.code, 0, warm.stderr);
    const out = join(dir, 'out');
    const run = await runBinOnSmallDisk(['run', path], {
      dir: out,
      sizeBytes: 128 * 1024,
      timeoutMs: 120_000,
      before: `echo old > "$DIR/results.ndjson"`,
    });
    t.notOk(run.timedOut, 'the run ended');
    t.equal(run.code, 4, run.stderr);
    t.match(
      run.stderr,
      `drtp: E_IO: cannot write results to ${join(out, 'results.ndjson')}: no space left on the device (ENOSPC)`,
    );
    t.notMatch(run.stderr, 'E_INTERNAL');
    t.same(run.left, ['results.ndjson'], 'no temp file left, no summary of a run without its rows');
    t.equal(run.files['results.ndjson'], 'old ', 'the previous results untouched');
  },
);

t.test('a full disk when warmup writes its map: E_IO with what to do, the last map kept whole', async (t) => {
  const registry = await withRegistry(t);
  const dir = t.testdir({ out: {} });
  const small = new FakeTrace();
  for (let i = 0; i < 3; i++) small.add('GET', `v2/u/r/blobs/first${i}`, { atMs: i });
  writeTrace(dir, 'small.json', small.json());
  const large = new FakeTrace();
  for (let i = 0; i < 300; i++) large.add('GET', `v2/u/r/blobs/layer-with-a-long-name-${i}`, { atMs: i, size: 64 });
  writeTrace(dir, 'large.json', large.json());
  const out = join(dir, 'out');
  mkdirSync(join(dir, 'seed'));
  const seed = config(
    join(dir, 'seed'),
    `trace: {traces: [../small.json]}\nregistry: [${registry.host}]\nwarmup: {output: interm.json}\n`,
  );
  t.equal((await runCli(['warmup', seed])).code, 0);
  const earlier = readFileSync(join(dir, 'seed', 'interm.json'), 'utf8');
  const path = config(
    dir,
    `trace: {traces: [large.json]}\nregistry: [${registry.host}]\nwarmup: {output: out/interm.json, threads: 8}\n`,
  );
  const warm = await runBinOnSmallDisk(['warmup', path], {
    dir: out,
    sizeBytes: 4096,
    timeoutMs: 120_000,
    before: `cp "${join(dir, 'seed', 'interm.json')}" "$DIR/interm.json"`,
  });
  t.notOk(warm.timedOut);
  t.equal(warm.code, 4, warm.stderr);
  t.match(
    warm.stderr,
    `drtp: E_IO: cannot write ${join(out, 'interm.json')}: no space left on the device (ENOSPC); the map there is still the last one written`,
  );
  t.same(warm.left, ['interm.json'], 'no temp file left');
  t.equal(warm.files['interm.json'], earlier.slice(0, 200).replace(/\n/g, ' '), 'the map before this warmup, whole');
});

t.test(
  'a full disk when the summary is written: E_IO naming it, neither results nor summary half-replaced',
  async (t) => {
    const registry = await withRegistry(t);
    const dir = t.testdir({ out: {} });
    const trace = new FakeTrace();
    for (let i = 0; i < 12; i++) trace.add('GET', `v2/u/r/blobs/b${i}`, { client: `c${i % 2}`, atMs: i, size: 500 });
    writeTrace(dir, 'trace.json', trace.json());
    const path = config(
      dir,
      `trace: {traces: [trace.json], output: out/results.ndjson}\nregistry: [${registry.host}]\nwarmup: {output: interm.json}\n`,
    );
    t.equal((await runCli(['warmup', path])).code, 0);
    const out = join(dir, 'out');
    // Room for the rows (a few KB), not for the summary with its encoded histograms.
    const run = await runBinOnSmallDisk(['run', path], { dir: out, sizeBytes: 8192, timeoutMs: 60_000 });
    t.notOk(run.timedOut);
    t.equal(run.code, 4, run.stderr);
    t.match(
      run.stderr,
      `drtp: E_IO: cannot write ${join(out, 'results.ndjson.summary.json')}: no space left on the device (ENOSPC)`,
    );
    t.same(run.left, [], 'no temp file, and no results without their summary');
  },
);
