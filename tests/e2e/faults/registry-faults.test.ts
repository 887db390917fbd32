import t, { type Test } from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBin, runCli, type TimedSignal } from '../../helpers/cli.js';
import { startFaultProxy, type Fault } from '../../helpers/fault-proxy.js';
import { FakeTrace, writeTrace } from '../../helpers/fake-trace.js';
import { withRegistry } from '../../helpers/registry.js';
import type { LocalRegistry } from '../../../lib/registry/local.js';

interface Summary {
  requests: { total: number; ok: number; failed: number; skipped: number };
  errors: Record<string, number>;
}

const TIMEOUT_MS = 1500;

/** A trace of 60 blob GETs of 40 KB by 6 clients, warmed up on `registry`; a config per case. */
async function warmed(
  t: Test,
  registry: LocalRegistry,
): Promise<{ dir: string; config: (name: string, host: string, wait?: boolean) => string }> {
  const dir = t.testdir();
  const trace = new FakeTrace();
  for (let i = 0; i < 60; i++)
    trace.add('GET', `v2/u/r/blobs/layer${i % 20}`, { client: `c${i % 6}`, atMs: 50 * i, size: 40_000 + i });
  writeTrace(dir, 'trace.json', trace.json());
  const config = (name: string, host: string, wait = false): string => {
    const path = join(dir, `${name}.yaml`);
    writeFileSync(
      path,
      `client_info: {threads: 2, wait: ${wait}, timeout_ms: ${TIMEOUT_MS}}\ntrace: {traces: [trace.json], output: out-${name}/results.ndjson}\nregistry: [${host}]\nwarmup: {output: interm.json, threads: 4}\n`,
    );
    return path;
  };
  const warm = await runCli(['warmup', config('warm', registry.host)]);
  t.equal(warm.code, 0, warm.stderr);
  return { dir, config };
}

/** Runs the replay under a watchdog and checks what every run must hold, whatever went wrong. */
async function replay(
  t: Test,
  dir: string,
  name: string,
  config: string,
  signals: TimedSignal[] = [],
): Promise<Summary> {
  const run = await runBin(['run', config], { timeoutMs: 90_000, signals });
  t.notOk(run.timedOut, `${name}: the run ended`);
  t.equal(run.code, 0, `${name}: ${run.stderr}`);
  const output = join(dir, `out-${name}/results.ndjson`);
  const summary = JSON.parse(readFileSync(`${output}.summary.json`, 'utf8')) as Summary;
  const { total, ok, failed, skipped } = summary.requests;
  t.equal(total, 60, `${name}: every request accounted for`);
  t.equal(ok + failed + skipped, total, `${name}: ok + failed + skipped = total`);
  t.equal(readFileSync(output, 'utf8').trim().split('\n').length, total, `${name}: a row per request`);
  t.equal(
    Object.values(summary.errors).reduce((a, b) => a + b, 0),
    failed,
    `${name}: every failure counted by code`,
  );
  return summary;
}

const CASES: { fault: Fault; codes: RegExp }[] = [
  { fault: 'reset', codes: /^E_REGISTRY_CONNECT$/ },
  { fault: 503, codes: /^E_REGISTRY_HTTP 503$/ },
  { fault: 429, codes: /^E_REGISTRY_HTTP 429$/ },
  { fault: 'truncate', codes: /^E_REGISTRY_CONNECT$/ },
  { fault: 'stall', codes: /^E_REGISTRY_TIMEOUT$/ },
  { fault: 'no-headers', codes: /^E_REGISTRY_TIMEOUT$/ },
];

t.test(
  'faults between drtp and a real registry: every run ends, every request is counted, errors carry their codes',
  async (t) => {
    const registry = await withRegistry(t);
    const { dir, config } = await warmed(t, registry);
    for (const { fault, codes } of CASES) {
      const proxy = await startFaultProxy(registry.url, fault);
      const name = `fault-${fault}`;
      const summary = await replay(t, dir, name, config(name, proxy.host));
      await proxy.close();
      t.ok(proxy.faulted > 0, `${name}: faults were injected`);
      t.equal(summary.requests.failed, proxy.faulted, `${name}: one failure per fault`);
      t.equal(summary.requests.ok, 60 - proxy.faulted, `${name}: the rest ok`);
      t.same(
        Object.keys(summary.errors).filter((code) => !codes.test(code)),
        [],
        `${name}: ${Object.keys(summary.errors).join(', ')}`,
      );
    }
  },
);

t.test('the registry stopped (SIGSTOP) mid-run: requests time out, the run ends', async (t) => {
  const registry = await withRegistry(t);
  const { dir, config } = await warmed(t, registry);
  const path = config('sigstop', registry.host, true);
  t.teardown(() => process.kill(registry.pid, 'SIGCONT'));
  // The trace spans 3 s at its own speed; the registry freezes ~1 s in and never comes back.
  const summary = await replay(t, dir, 'sigstop', path, [
    { signal: 'SIGSTOP', pid: registry.pid, afterMs: 1000, when: /^replayable/m },
  ]);
  t.ok(
    summary.requests.failed > 0 && summary.requests.ok > 0,
    `some before, failures after (${summary.requests.ok} ok)`,
  );
  t.same(
    Object.keys(summary.errors).filter((c) => c !== 'E_REGISTRY_TIMEOUT'),
    [],
    Object.keys(summary.errors).join(', '),
  );
});

t.test('the registry killed mid-run: refused connections, the run ends', async (t) => {
  const registry = await withRegistry(t);
  const { dir, config } = await warmed(t, registry);
  const path = config('killed', registry.host, true);
  const summary = await replay(t, dir, 'killed', path, [
    { signal: 'SIGKILL', pid: registry.pid, afterMs: 1000, when: /^replayable/m },
  ]);
  t.ok(
    summary.requests.failed > 0 && summary.requests.ok > 0,
    `some before, failures after (${summary.requests.ok} ok)`,
  );
  t.same(
    Object.keys(summary.errors).filter((c) => c !== 'E_REGISTRY_CONNECT' && c !== 'E_REGISTRY_TIMEOUT'),
    [],
    Object.keys(summary.errors).join(', '),
  );
});
