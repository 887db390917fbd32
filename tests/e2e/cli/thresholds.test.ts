import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseJunit, type TestSuites } from 'junit2json';
import { runBin, runCli } from '../../helpers/cli.js';
import { withRegistry } from '../../helpers/registry.js';
import { warmed } from '../../helpers/warmed.js';

const summaryOf = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, any>;

async function junit(path: string): Promise<TestSuites> {
  return (await parseJunit(readFileSync(path, 'utf8'))) as TestSuites;
}

t.test('--threshold: a run that meets it exits 0, one that misses it exits 99 with every file written', async (t) => {
  const { dir, config, output } = await warmed(t);
  const met = await runCli(['run', config, '--threshold', 'all: p99 < 100000ms', '--junit', join(dir, 'met.xml')]);
  t.equal(met.code, 0, met.stderr);
  t.match(met.stdout, /thresholds {2}1 of 1 passed:\n {2}pass {2}all: p99 < 100000ms {3}\(\d[\d.]* ms\)/);
  const passed = summaryOf(`${output}.summary.json`).thresholds;
  t.match(passed, [{ threshold: 'all: p99 < 100000ms', pass: true }]);
  t.ok(passed[0].observed > 0);
  const metXml = await junit(join(dir, 'met.xml'));
  t.match(metXml, { tests: 1, failures: 0 });
  t.match(metXml.testsuite?.[0].testcase?.[0], { name: 'all: p99 < 100000ms', classname: 'drtp.thresholds' });
  t.notOk(metXml.testsuite?.[0].testcase?.[0].failure, 'no failure');

  const missed = await runCli([
    'run',
    config,
    '--threshold',
    'all: p99 < 100000ms',
    '--threshold',
    'GET blob: p99 < 0.001ms',
    '--junit',
    join(dir, 'missed.xml'),
  ]);
  t.equal(missed.code, 99, missed.stderr);
  t.match(missed.stderr, /drtp: 1 of 2 thresholds failed: GET blob: p99 < 0\.001ms \(\d[\d.]* ms\)/);
  t.match(
    missed.stdout,
    /thresholds {2}1 of 2 passed:\n {2}pass {2}all: p99 < 100000ms .*\n {2}FAIL {2}GET blob: p99 < 0\.001ms/,
  );
  const summary = summaryOf(`${output}.summary.json`);
  t.same(
    summary.thresholds.map((v: { pass: boolean }) => v.pass),
    [true, false],
    'the summary records each verdict',
  );
  t.equal(readFileSync(output, 'utf8').trim().split('\n').length, summary.requests.total, 'the results are written');
  const xml = await junit(join(dir, 'missed.xml'));
  t.match(xml, { tests: 2, failures: 1 });
  const failedCase = xml.testsuite?.[0].testcase?.find((c) => c.name === 'GET blob: p99 < 0.001ms');
  t.match(failedCase?.failure?.[0], { message: /^observed \d[\d.]* ms$/, type: 'threshold' });
});

t.test("a configuration's thresholds section does the same, and its mistakes name their path", async (t) => {
  const { config, output, rewrite } = await warmed(
    t,
    "thresholds:\n  - 'all: failed_rate < 1%'\n  - threshold: 'GET blob: p99 < 0.001ms'\n",
  );
  const run = await runCli(['run', config]);
  t.equal(run.code, 99, run.stderr);
  t.match(summaryOf(`${output}.summary.json`).thresholds, [
    { threshold: 'all: failed_rate < 1%', pass: true, observed: 0 },
    { threshold: 'GET blob: p99 < 0.001ms', pass: false },
  ]);
  rewrite("thresholds:\n  - 'all: failed_rate < 1%'\n");
  t.equal((await runCli(['run', config])).code, 0);

  rewrite(
    "thresholds:\n  - 'all: p99 < 50ms'\n  - 'GET blobs: p99 < 5ms'\n  - threshold: 'GET blob: p99 < 5ms'\n    abort_on_fail: true\n",
  );
  const invalid = await runCli(['validate', config]);
  t.equal(invalid.code, 2);
  t.match(invalid.stdout, `${config}:14: /thresholds/1: "GET blobs" is not a scope (a scope is all, a request class`);
  t.match(
    invalid.stdout,
    `${config}:16: /thresholds/2/abort_on_fail: abort_on_fail cannot watch GET blob: p99 < 5ms as the run goes`,
  );
  const bad = await runCli(['run', config, '--threshold', 'all: p99 < soon']);
  t.equal(bad.code, 2, 'the configuration is checked first');
  rewrite('');
  const usage = await runCli(['run', config, '--threshold', 'all: p99 < soon']);
  t.same(
    [usage.code, usage.stderr],
    [
      2,
      'drtp: E_USAGE: --threshold "all: p99 < soon": "soon" is not a number (a duration: 50ms, 1.5s, 800us (a bare number is ms))\n',
    ],
  );
  const typo = await runCli(['run', config, '--threshold', 'registry 127.0.0.1:1: p99 < 1s']);
  t.equal(typo.code, 2);
  t.match(typo.stderr, 'the run has no registry http://127.0.0.1:1 (its registries: http://127.0.0.1:');
});

t.test('drtp merge judges the shards’ thresholds again on the merged summary', async (t) => {
  const { dir, config } = await warmed(t, "thresholds: ['all: requests >= 100']\n");
  const parts: string[] = [];
  for (const shard of ['0/2', '1/2']) {
    const run = await runCli(['run', config, '--shard', shard]);
    t.equal(run.code, 99, `each shard alone has fewer than 100 requests: ${run.stderr}`);
    parts.push(join(dir, `out/results.shard-${shard[0]}-of-2.ndjson.summary.json`));
  }
  t.ok(parts.every((p) => existsSync(p)));
  const merged = await runCli([
    'merge',
    ...parts,
    '--out',
    join(dir, 'merged.json'),
    '--junit',
    join(dir, 'merged.xml'),
  ]);
  t.equal(merged.code, 0, merged.stderr);
  t.match(summaryOf(join(dir, 'merged.json')).thresholds, [{ threshold: 'all: requests >= 100', pass: true }]);
  t.match(await junit(join(dir, 'merged.xml')), { tests: 1, failures: 0 });
  const stricter = await runCli([
    'merge',
    ...parts,
    '--out',
    join(dir, 'merged.json'),
    '--threshold',
    'all: failed > 0',
  ]);
  t.equal(stricter.code, 99, 'and any given to merge');
  t.match(summaryOf(join(dir, 'merged.json')).thresholds, [
    { pass: true },
    { threshold: 'all: failed > 0', pass: false, observed: 0 },
  ]);
});

t.test('abort_on_fail stops a run against a broken registry early, writing everything as for Ctrl-C', async (t) => {
  // Warmed up on one registry, replayed against another that has none of the blobs: every GET is a 404.
  const { config, output, rewrite } = await warmed(t, '', '  wait: true\n  speed: 0.2\n  threads: 1');
  const empty = await withRegistry(t);
  rewrite(
    "thresholds:\n  - threshold: 'all: failed_rate < 50%'\n    abort_on_fail: true\n    window_s: 1\n",
    empty.host,
  );
  const run = await runBin(['run', config], { timeoutMs: 60_000 });
  t.equal(run.code, 99, run.stderr);
  t.match(
    run.stderr,
    /drtp: run stopped: threshold all: failed_rate < 50% failed over the last 1 s \(observed \d+(\.\d+)?%\)/,
  );
  const summary = summaryOf(`${output}.summary.json`);
  t.equal(summary.meta.stopped, true);
  t.equal(summary.meta.abortedBy, 'all: failed_rate < 50%');
  t.ok(summary.skipped['not sent: the run was stopped'] > 0, 'stopped before the end of the trace');
  t.match(summary.thresholds, [{ pass: false, aborted: { windowSeconds: 1, shown: /%$/ } }]);
  t.equal(
    readFileSync(output, 'utf8').trim().split('\n').length,
    summary.requests.total - summary.skipped['not sent: the run was stopped'],
    'a row per request done or skipped',
  );
});
