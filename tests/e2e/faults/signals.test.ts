import t, { type Test } from 'tap';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSynthTrace } from '../../../lib/trace/synth-files.js';
import { runBin, runCli } from '../../helpers/cli.js';
import { FakeTrace, gzipFile, writeTrace } from '../../helpers/fake-trace.js';
import { withRegistry } from '../../helpers/registry.js';

const QUIT = /\ndrtp: SIGTERM: quitting; files written before stay as they were\n$/;

t.test('SIGTERM while the trace is read: exit 130 with a message, nothing left behind', async (t) => {
  const dir = t.testdir();
  // A gzip trace whose one record never ends: reading it takes seconds before the record cap.
  const file = join(dir, 'slow.json.gz');
  await gzipFile(file, '[{"junk":"', Buffer.alloc(1 << 20, 0x79), 300, '');
  const run = await runBin(['import', file, '--out', join(dir, 'x.drtp')], {
    timeoutMs: 60_000,
    signals: [{ signal: 'SIGTERM', afterMs: 700 }],
  });
  t.notOk(run.timedOut);
  t.equal(run.code, 130, run.stderr);
  t.match(run.stderr, QUIT);
  t.same(readdirSync(dir), ['slow.json.gz']);
});

async function replaySetup(t: Test, wait: boolean) {
  const registry = await withRegistry(t);
  const dir = t.testdir({
    out: { 'results.ndjson': 'old results\n', 'results.ndjson.summary.json': '{"old": true}\n' },
  });
  await writeSynthTrace(dir, { requests: 400, seed: 3, maxLayerBytes: 50_000, rate: 10 });
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    `client_info: {threads: 2, wait: ${wait}}\ntrace: {traces: [prod-dal09-logstash-2017.06.20-0.json], output: out/results.ndjson}\nregistry: [${registry.host}]\nwarmup: {output: interm.json, threads: 8}\n`,
  );
  const warm = await runCli(['warmup', config]);
  t.equal(warm.code, 0, warm.stderr);
  return { dir, config, out: join(dir, 'out') };
}

t.test('--start-at weeks ahead waits (setTimeout alone fired at once) and Ctrl-C ends the wait', async (t) => {
  const { config, out } = await replaySetup(t, true);
  const startAt = new Date(Date.now() + 40 * 24 * 3600 * 1000).toISOString();
  const run = await runBin(['run', config, '--start-at', startAt], {
    timeoutMs: 60_000,
    signals: [{ signal: 'SIGINT', afterMs: 1500, when: /^replayable/m }],
  });
  t.notOk(run.timedOut);
  t.equal(run.code, 130, run.stderr);
  const summary = JSON.parse(readFileSync(join(out, 'results.ndjson.summary.json'), 'utf8')) as {
    requests: { ok: number; failed: number; skipped: number; total: number };
    skipped: Record<string, number>;
  };
  t.equal(summary.requests.ok + summary.requests.failed, 0, 'nothing was sent before the start');
  t.equal(summary.skipped['not sent: the run was stopped'], summary.requests.total);
});

t.test(
  'a second Ctrl-C during a run: exit 130, no temp file, the results and summary of before untouched or both new',
  async (t) => {
    const { out } = await replaySetup(t, true).then(async (s) => {
      const run = await runBin(['run', s.config], {
        timeoutMs: 60_000,
        signals: [
          { signal: 'SIGINT', afterMs: 1200, when: /^replayable/m },
          { signal: 'SIGINT', afterMs: 1250, when: /^replayable/m },
        ],
      });
      t.notOk(run.timedOut);
      // A signal that lands while Node tears the process down ends it by that signal: 130 to a shell too.
      t.ok(run.code === 130 || run.signal === 'SIGINT', `exit 130 (${run.code} ${run.signal}): ${run.stderr}`);
      return s;
    });
    const names = readdirSync(out).sort();
    t.same(names, ['results.ndjson', 'results.ndjson.summary.json'], 'no .tmp-* file');
    const results = readFileSync(join(out, 'results.ndjson'), 'utf8');
    const summary = readFileSync(join(out, 'results.ndjson.summary.json'), 'utf8');
    t.equal(results === 'old results\n', summary === '{"old": true}\n', 'results and summary are of the same run');
  },
);

t.test('Ctrl-C during a sweep writes the points finished so far (exit 130)', async (t) => {
  const dir = t.testdir();
  writeTrace(dir, 'trace.json', new FakeTrace().addPull('u/r', 'c1', [1000, 2000], 0).json());
  const model = join(import.meta.dirname, '../../fixtures/models/slow.mjs');
  // Two quick points, then slow ones: the signal lands while the slow ones run.
  writeFileSync(
    join(dir, 'sweep.yaml'),
    `trace: {traces: [trace.json]}\nsimulate:\n  name: ${model}\n  sweep: {ms: [0, 1, 60000, 60000, 60000, 60000]}\n`,
  );
  const run = await runBin(['simulate', join(dir, 'sweep.yaml'), '--workers', '2', '--csv', join(dir, 'points.csv')], {
    timeoutMs: 50_000,
    signals: [{ signal: 'SIGINT', afterMs: 3000 }],
  });
  t.notOk(run.timedOut, 'the sweep ended at the signal');
  t.equal(run.code, 130, run.stderr);
  t.match(run.stderr, /sweep interrupted: 2 of 6 points finished/);
  const rows = readFileSync(join(dir, 'points.csv'), 'utf8').trim().split('\n');
  t.equal(rows.length, 7, 'a header and a row per point');
  t.equal(rows.filter((r) => r.includes('E_INTERRUPTED')).length, 4, 'the unfinished ones say so');
});
