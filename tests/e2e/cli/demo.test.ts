import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';

t.test('drtp demo: synthesize, start a registry, warm up, replay, report, clean up', async (t) => {
  const keep = join(t.testdir(), 'demo');
  const demo = await runCli(['demo', '--requests', '120', '--seconds', '2', '--keep', keep]);
  t.equal(demo.code, 0, demo.stderr);
  t.match(demo.stdout, /1\/4 synthesizing a 120-request trace/);
  const pid = Number(/pid (\d+)/.exec(demo.stdout)?.[1]);
  t.match(demo.stdout, /3\/4 warming up: \d+ blobs/);
  t.match(demo.stdout, /requests +\d+ total: \d+ ok, 0 failed, 0 skipped/);
  // Lateness by cause, in words: a request held by its own client's is the registry's, not the generator's.
  t.match(demo.stdout, /on time +[\d.]+% \((\d+) late\): the generator /);
  // Figures print with thousands separators: on a loaded machine a request may queue for over a second.
  const queued =
    /queued +([\d,]+) requests behind their client's own in flight \(p50 [\d.,]+ ms, p99 [\d.,]+ ms, max [\d.,]+ ms\): the registry was slower than the trace/.exec(
      demo.stdout,
    );
  const written = JSON.parse(readFileSync(join(keep, 'results.ndjson.summary.json'), 'utf8')) as {
    queueing: { count: number };
  };
  t.equal(
    queued === null ? 0 : Number(queued[1].replaceAll(',', '')),
    written.queueing.count,
    "the queued line says the summary's count (none printed when none)",
  );
  t.throws(() => process.kill(pid, 0), 'the registry it started is stopped');
  const store = /store ([^)]+)\)/.exec(demo.stdout)?.[1] as string;
  t.notOk(existsSync(store), 'and its store removed');
  const summary = JSON.parse(readFileSync(join(keep, 'results.ndjson.summary.json'), 'utf8'));
  t.equal(summary.requests.failed, 0);
  t.ok(summary.requests.ok > 50);
});

t.test('drtp demo without docker-registry says how to install it and exits 2', async (t) => {
  const path = process.env.PATH;
  process.env.PATH = '/nonexistent';
  t.teardown(() => {
    process.env.PATH = path;
  });
  const demo = await runCli(['demo']);
  t.equal(demo.code, 2);
  t.match(demo.stderr, 'apt-get install -y docker-registry');
});
