import t, { type Test } from 'tap';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBin, runCli, type BinResult, type TimedSignal } from '../../helpers/cli.js';
import { withRegistry } from '../../helpers/registry.js';
import { FakeTrace, writeTrace } from '../../helpers/fake-trace.js';
import { withHostileRegistry, type HostileRegistry, type Hostility } from '../../helpers/hostile-registry.js';
import { selfSigned } from '../../helpers/pki.js';

interface Summary {
  requests: { total: number; ok: number; failed: number; skipped: number };
  errors: Record<string, number>;
}

/** A result row's error: `CODE: message`. */
interface Row {
  error: string | null;
}

/** Six blob GETs of `size` bytes by two clients against `hostility`, with a map as warmup would write it; runs under a watchdog. */
async function replayAgainst(
  t: Test,
  hostility: Hostility,
  clientInfo: string,
  size: number,
  signals: TimedSignal[] = [],
  tls = false,
): Promise<{ run: BinResult; summary: Summary; rows: Row[]; gets: number; registry: HostileRegistry }> {
  const dir = t.testdir();
  const pki = tls ? selfSigned(dir, 'registry') : undefined;
  const registry = await withHostileRegistry(
    t,
    hostility,
    pki === undefined ? undefined : { cert: pki.certPem, key: pki.keyPem },
  );
  const trace = new FakeTrace();
  const map: Record<string, string> = {};
  for (let i = 0; i < 6; i++) {
    const uri = `v2/u/r/blobs/b${i}`;
    trace.add('GET', uri, { client: `c${i % 2}`, atMs: 10 * i, size });
    map[uri] = `sha256:${i.toString(16).padStart(64, '0')}`;
  }
  writeTrace(dir, 'trace.json', trace.json());
  writeFileSync(join(dir, 'interm.json'), JSON.stringify(map));
  writeFileSync(
    join(dir, 'run.yaml'),
    `client_info: {threads: 1, ${clientInfo}}\ntrace: {traces: [trace.json], output: out/results.ndjson}\nregistry: [${tls ? `{url: "${registry.url}", ca: registry.crt}` : registry.host}]\nwarmup: {output: interm.json}\n`,
  );
  const run = await runBin(['run', join(dir, 'run.yaml')], { timeoutMs: 60_000, signals });
  t.notOk(run.timedOut, `the run ended by itself: ${run.stderr}`);
  const summary = JSON.parse(readFileSync(join(dir, 'out/results.ndjson.summary.json'), 'utf8')) as Summary;
  const rows = readFileSync(join(dir, 'out/results.ndjson'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Row);
  t.same(
    readdirSync(join(dir, 'out')).sort(),
    ['results.ndjson', 'results.ndjson.summary.json'],
    'results and summary written, no temp file',
  );
  return { run, summary, rows, gets: registry.blobGets, registry };
}

t.test(
  'a registry that trickles a body is cut off at the whole-request deadline, set or derived from the size',
  async (t) => {
    // A byte every 300 ms never leaves the body silent for timeout_ms (2 s): only a deadline ends it (40 kB would take 3 hours).
    const set = await replayAgainst(
      t,
      { kind: 'trickle', bytes: 40_000, everyMs: 300 },
      'timeout_ms: 2000, deadline_ms: 1500',
      40_000,
    );
    t.equal(set.run.code, 0, set.run.stderr);
    t.same(set.summary.requests, { total: 6, ok: 0, failed: 6, skipped: 0 });
    t.same(set.summary.errors, { E_REGISTRY_TIMEOUT: 6 });
    t.ok(
      set.rows.every((r) =>
        /^E_REGISTRY_TIMEOUT: GET .*not answered whole within its deadline of 1500 ms/.test(r.error ?? ''),
      ),
      'each row says the deadline',
    );
    // Derived: timeout_ms + 100 bytes at 1 MB/s = 2000.1 ms.
    const derived = await replayAgainst(t, { kind: 'trickle', bytes: 100, everyMs: 300 }, 'timeout_ms: 2000', 100);
    t.same(derived.summary.errors, { E_REGISTRY_TIMEOUT: 6 });
    t.ok(
      derived.rows.every((r) => /within its deadline of 2000 ms/.test(r.error ?? '')),
      'the default deadline is timeout_ms plus the size at 1 MB/s',
    );
  },
);

t.test('the first Ctrl-C ends a run whose bodies never end, within a bound, and writes everything', async (t) => {
  const { run, summary, rows } = await replayAgainst(
    t,
    { kind: 'endless', everyMs: 200 },
    'timeout_ms: 2000, deadline_ms: 600000, wait: true',
    1000,
    [{ signal: 'SIGINT', afterMs: 1500, when: /^replayable/m }],
  );
  t.equal(run.code, 130, `exit 130: ${run.stderr}`);
  t.same(summary.requests, { total: 6, ok: 0, failed: 6, skipped: 0 }, 'every request counted');
  t.same(summary.errors, { E_INTERRUPTED: 6 }, 'the ones in flight cut off, with their code');
  t.equal(rows.length, 6, 'a row each');
  t.ok(
    rows.every((r) => /^E_INTERRUPTED: GET .*cut off in flight, the run was stopped/.test(r.error ?? '')),
    'each row says why',
  );
});

t.test('a redirect loop fails the request after 10 redirects, with its own code', async (t) => {
  const { run, summary, rows, gets } = await replayAgainst(t, { kind: 'redirect-loop' }, 'timeout_ms: 2000', 1000);
  t.equal(run.code, 0, run.stderr);
  t.same(summary.errors, { E_REGISTRY_REDIRECTS: 6 });
  t.equal(gets, 6 * 11, 'each request went out once and was redirected 10 times');
  t.match(
    rows[0].error ?? '',
    /^E_REGISTRY_REDIRECTS: GET .*redirected 11 times, the last to \/v2\/u\/r\/blobs\/sha256:.*a loop\?/,
  );
});

t.test(
  'a 200 with other than the warmed size fails E_SIZE_MISMATCH; with verify_digests, other content fails E_DIGEST_MISMATCH',
  async (t) => {
    const short = await replayAgainst(t, { kind: 'fixed-body', bytes: 7 }, 'timeout_ms: 2000', 1000);
    t.equal(short.run.code, 0, short.run.stderr);
    t.same(short.summary.errors, { E_SIZE_MISMATCH: 6 });
    t.ok(
      short.rows.every((r) =>
        /^E_SIZE_MISMATCH: GET .*: HTTP 200 with 7 bytes, not the 1000 warmed/.test(r.error ?? ''),
      ),
      'each row says both sizes',
    );
    const unchecked = await replayAgainst(
      t,
      { kind: 'fixed-body', bytes: 7 },
      'timeout_ms: 2000, check_sizes: false',
      1000,
    );
    t.same(
      unchecked.summary.requests,
      { total: 6, ok: 6, failed: 0, skipped: 0 },
      'check_sizes: false, for a registry warmed by other means',
    );
    const sized = await replayAgainst(t, { kind: 'fixed-body', bytes: 1000 }, 'timeout_ms: 2000', 1000);
    t.same(
      sized.summary.requests,
      { total: 6, ok: 6, failed: 0, skipped: 0 },
      'the right size passes when digests are not checked',
    );
    const verified = await replayAgainst(
      t,
      { kind: 'fixed-body', bytes: 1000 },
      'timeout_ms: 2000, verify_digests: true',
      1000,
    );
    t.same(verified.summary.errors, { E_DIGEST_MISMATCH: 6 });
    t.match(
      verified.rows[0].error ?? '',
      /^E_DIGEST_MISMATCH: GET \/v2\/u\/r\/blobs\/sha256:0+\d: the body hashes to sha256:[0-9a-f]{64}/,
    );
  },
);

t.test(
  'over HTTP/2 the same faults end the same way: deadline, body silence, redirect loop, wrong size, Ctrl-C',
  async (t) => {
    const deadline = await replayAgainst(
      t,
      { kind: 'trickle', bytes: 40_000, everyMs: 300 },
      'timeout_ms: 2000, deadline_ms: 1500',
      40_000,
      [],
      true,
    );
    t.same([...deadline.registry.versions], ['2.0'], 'the reads went over HTTP/2');
    t.same(deadline.summary.errors, { E_REGISTRY_TIMEOUT: 6 });
    t.ok(
      deadline.rows.every((r) =>
        /^E_REGISTRY_TIMEOUT: GET .*not answered whole within its deadline of 1500 ms/.test(r.error ?? ''),
      ),
      'each row says the deadline',
    );
    const silent = await replayAgainst(
      t,
      { kind: 'trickle', bytes: 40_000, everyMs: 5000 },
      'timeout_ms: 1000, deadline_ms: 600000',
      40_000,
      [],
      true,
    );
    t.same(silent.summary.errors, { E_REGISTRY_TIMEOUT: 6 }, 'a body silent for timeout_ms times out');
    const loop = await replayAgainst(t, { kind: 'redirect-loop' }, 'timeout_ms: 2000', 1000, [], true);
    t.same(loop.summary.errors, { E_REGISTRY_REDIRECTS: 6 });
    t.equal(loop.gets, 6 * 11, 'each request went out once and was redirected 10 times');
    const short = await replayAgainst(t, { kind: 'fixed-body', bytes: 7 }, 'timeout_ms: 2000', 1000, [], true);
    t.same(short.summary.errors, { E_SIZE_MISMATCH: 6 });
    const stopped = await replayAgainst(
      t,
      { kind: 'endless', everyMs: 200 },
      'timeout_ms: 2000, deadline_ms: 600000, wait: true',
      1000,
      [{ signal: 'SIGINT', afterMs: 1500, when: /^replayable/m }],
      true,
    );
    t.equal(stopped.run.code, 130, `exit 130: ${stopped.run.stderr}`);
    t.same(stopped.summary.errors, { E_INTERRUPTED: 6 }, 'streams in flight cut off, with their code');
  },
);

t.test('against docker-registry, every warmed blob passes the size and digest checks', async (t) => {
  const dir = t.testdir();
  const registry = await withRegistry(t);
  const trace = new FakeTrace();
  for (let i = 0; i < 30; i++)
    trace.add('GET', `v2/u/r/blobs/b${i % 10}`, { client: `c${i % 3}`, atMs: i, size: 100 + 5000 * i });
  trace.add('GET', 'v2/u/r/manifests/latest', { client: 'c0', atMs: 40, size: 700 });
  writeTrace(dir, 'trace.json', trace.json());
  writeFileSync(
    join(dir, 'run.yaml'),
    `client_info: {threads: 1, verify_digests: true}\ntrace: {traces: [trace.json], output: out/results.ndjson}\nregistry: [${registry.host}]\nwarmup: {output: interm.json}\n`,
  );
  t.equal((await runCli(['warmup', join(dir, 'run.yaml')])).code, 0);
  const run = await runCli(['run', join(dir, 'run.yaml')]);
  t.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(readFileSync(join(dir, 'out/results.ndjson.summary.json'), 'utf8')) as Summary;
  t.same(summary.requests, { total: 31, ok: 31, failed: 0, skipped: 0 });
});
