import t from 'tap';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { FakeTrace, writeTrace } from '../../helpers/fake-trace.js';
import { withRegistry } from '../../helpers/registry.js';

const PASSWORD = 'pw-Zq81-secret';

/** Every file under `dir`, with its content. */
function filesUnder(dir: string): { path: string; text: string }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [{ path, text: readFileSync(path, 'latin1') }];
  });
}

t.test(
  'credentials in a registry URL are used, and no output of warmup, run or report holds the password',
  async (t) => {
    const dir = t.testdir();
    const htpasswd = join(dir, 'htpasswd');
    writeFileSync(htpasswd, execFileSync('htpasswd', ['-Bbn', 'alice', PASSWORD]));
    const registry = await withRegistry(t, { htpasswd });
    const trace = new FakeTrace();
    for (let i = 0; i < 12; i++)
      trace.add('GET', `v2/u/r/blobs/b${i}`, { client: `c${i % 3}`, atMs: i, size: 2000 + i });
    writeTrace(dir, 'trace.json', trace.json());
    const url = `http://alice:${PASSWORD}@${registry.host}`;
    writeFileSync(
      join(dir, 'run.yaml'),
      `client_info: {threads: 1}\ntrace: {traces: [trace.json], output: out/results.ndjson}\nregistry: [${url}]\nwarmup: {output: interm.json}\nthresholds: ['registry ${url}: p99 < 30s']\n`,
    );
    const warm = await runCli(['warmup', '-v', join(dir, 'run.yaml')]);
    t.equal(warm.code, 0, warm.stderr);
    t.match(warm.stdout, /12 pushed/, "the URL's credentials authenticate the pushes");
    const run = await runCli([
      'run',
      '-v',
      join(dir, 'run.yaml'),
      '--threshold',
      `registry ${url}: p50 < 30s`,
      '--junit',
      join(dir, 'out/junit.xml'),
    ]);
    t.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(readFileSync(join(dir, 'out/results.ndjson.summary.json'), 'utf8')) as {
      requests: { ok: number };
      thresholds: { threshold: string; pass: boolean }[];
    };
    t.equal(summary.requests.ok, 12, 'and the pulls');
    t.same(
      summary.thresholds.map((x) => [x.threshold, x.pass]),
      [
        [`registry http://${registry.host}: p99 < 30s`, true],
        [`registry http://${registry.host}: p50 < 30s`, true],
      ],
      'thresholds name the registry by its origin',
    );
    const report = await runCli([
      'report',
      join(dir, 'out/results.ndjson.summary.json'),
      '--out',
      join(dir, 'out/report.html'),
    ]);
    t.equal(report.code, 0, report.stderr);
    const bad = await runCli(['validate', join(dir, 'run.yaml')]);
    const printed = [
      warm.stdout,
      warm.stderr,
      run.stdout,
      run.stderr,
      report.stdout,
      report.stderr,
      bad.stdout,
      bad.stderr,
    ].join('\n');
    t.notOk(printed.includes(PASSWORD), 'nothing printed holds the password');
    t.ok(printed.includes('(credentials hidden)'), '-v shows where credentials were, hidden');
    const leaking = filesUnder(dir).filter((f) => f.text.includes(PASSWORD) && f.path !== join(dir, 'run.yaml'));
    t.same(
      leaking.map((f) => f.path),
      [],
      'no file drtp wrote holds it (results, summary, JUnit, report, map)',
    );
  },
);
