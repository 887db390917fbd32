import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020Module from 'ajv/dist/2020.js';
import { writeSynthTrace } from '../../../lib/trace/synth-files.js';
import { runReplay } from '../../../actors/master.js';
import { loadConfig } from '../../../lib/config/load.js';
import { loadConfiguredTrace } from '../../../lib/config/trace.js';
import { readDigestMap } from '../../../lib/registry/digest-map.js';
import { resolveEndpoint } from '../../../lib/registry/endpoint.js';
import { runBin, runCli } from '../../helpers/cli.js';
import { withRegistry } from '../../helpers/registry.js';
import type { Threshold } from '../../../lib/thresholds/expression.js';
import type { AddressInfo, Socket } from 'node:net';

interface Row {
  id: number;
  class: string;
  client: string;
  outcome: string;
  size: number;
  tracedSize: number;
  dueMs: number;
  sentMs: number;
  serviceMs: number;
  status: number;
  error: string | null;
  onTime: string;
  time: number;
  duration: number;
}

const Ajv2020 = Ajv2020Module.default;
const readRows = (path: string): Row[] =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Row);
const readSummary = (path: string) => JSON.parse(readFileSync(`${path}.summary.json`, 'utf8')) as Record<string, any>;

async function setup(t: Test, requests: number, clientInfo: string, extra = '') {
  const dir = t.testdir();
  await writeSynthTrace(join(dir, 'traces'), { requests, seed: 5, maxLayerBytes: 1_500_000, rate: 50 });
  const registry = await withRegistry(t);
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    `client_info:\n${clientInfo}\ntrace:\n  location: traces\n  traces: [prod-dal09-logstash-2017.06.20-0.json]\n  output: out/results.ndjson\n` +
      `registry: [${registry.host}]\nwarmup:\n  output: interm.json\n  threads: 8\n${extra}`,
  );
  const warm = await runCli(['warmup', config]);
  t.equal(warm.code, 0, warm.stderr);
  return { dir, registry, config, output: join(dir, 'out/results.ndjson') };
}

t.test('replay as fast as possible: every GET returns its traced size and the counts add up', async (t) => {
  const { config, output } = await setup(t, 300, '  wait: false\n  threads: 2');
  const run = await runCli(['run', config]);
  t.equal(run.code, 0, run.stderr);
  const replayable = Number(/replayable (\d+)/.exec(run.stdout)?.[1]);
  const rows = readRows(output);
  const summary = readSummary(output);
  t.equal(rows.length, replayable, 'one result row per replayable request');
  t.same(
    rows.map((r) => r.id).sort((a, b) => a - b),
    Array.from({ length: replayable }, (_, i) => i),
    'each exactly once',
  );
  t.same(summary.requests, { total: replayable, ok: replayable, failed: 0, skipped: 0 });
  const gets = rows.filter((r) => r.class.startsWith('GET'));
  t.same(
    gets.filter((r) => r.size !== r.tracedSize),
    [],
    'every GET moved its traced size',
  );
  t.equal(
    summary.bytes,
    rows.reduce((s, r) => s + r.size, 0),
    'summary bytes = sum of the rows',
  );
  t.equal(
    Object.values(summary.classes as Record<string, { requests: number }>).reduce((s, c) => s + c.requests, 0),
    replayable,
    'classes add up',
  );
  t.ok(
    rows.every(
      (r) => typeof r.time === 'number' && typeof r.duration === 'number' && ['yes', 'no', 'failed'].includes(r.onTime),
    ),
    "the original's fields",
  );
  t.match(summary.meta, {
    drtp: String,
    node: process.version,
    traceFiles: [{ bytes: Number, sha256HeadTail1MiB: /^[0-9a-f]{64}$/ }],
    config: { registries: [String] },
  });
  t.ok(summary.latencyMs.p99 >= summary.latencyMs.p50 && summary.latencyMs.p50 > 0);
  type Pct = { p50: number; p90: number; p99: number; p999: number; max: number };
  const ordered = (p: Pct): boolean => p.p50 <= p.p90 && p.p90 <= p.p99 && p.p99 <= p.p999 && p.p999 <= p.max;
  const classes = Object.entries(summary.classes as Record<string, { latencyMs: Pct; serviceMs: Pct; ttfbMs: Pct }>);
  t.same(
    classes
      .filter(([, c]) => !ordered(c.latencyMs) || !ordered(c.serviceMs) || !ordered(c.ttfbMs))
      .map(([name]) => name),
    [],
    'percentiles ordered up to max in every class',
  );
  // The longest service time in the rows falls in the summary's top bucket (HDR: 3 significant digits).
  const longest = Math.max(...rows.map((r) => r.serviceMs));
  t.ok(
    Math.abs(summary.serviceMs.max - longest) <= longest * 0.002 + 0.002,
    `max service ${summary.serviceMs.max} ms ~ longest row ${longest} ms`,
  );
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(
    JSON.parse(readFileSync(join(import.meta.dirname, '../../../schemas/summary.schema.json'), 'utf8')) as object,
  );
  t.ok(validate(summary), `the summary matches schemas/summary.schema.json ${JSON.stringify(validate.errors)}`);
  t.match(run.stdout, /requests +\d+ total: \d+ ok, 0 failed, 0 skipped/);
});

t.test('open loop at speed 10: nothing leaves before it is due, and each client sends in due order', async (t) => {
  const { config, output } = await setup(t, 200, '  wait: true\n  speed: 10\n  threads: 2');
  const run = await runCli(['run', config]);
  t.equal(run.code, 0, run.stderr);
  const rows = readRows(output);
  t.same(
    rows.filter((r) => r.sentMs < r.dueMs),
    [],
    'no request sent before its due time',
  );
  const byClient = new Map<string, Row[]>();
  for (const r of rows) byClient.set(r.client, [...(byClient.get(r.client) ?? []), r]);
  let outOfOrder = 0;
  for (const list of byClient.values()) {
    // Per client, requests go out in due order (the in-flight bound may delay, never reorder them).
    const byDue = [...list].sort((a, b) => a.dueMs - b.dueMs || a.id - b.id);
    byDue.forEach((r, i) => i > 0 && r.sentMs < byDue[i - 1].sentMs && outOfOrder++);
  }
  t.equal(outOfOrder, 0, 'due order kept per client');
  const lastDue = Math.max(...rows.map((r) => r.dueMs));
  t.ok(lastDue > 500, 'the trace spans more than half a second at speed 10');
  t.ok(Math.max(...rows.map((r) => r.sentMs)) >= lastDue, 'the run lasted at least the scaled trace span');
  // Lateness by cause: the summary's split adds up to the rows'.
  const summary = JSON.parse(readFileSync(`${output}.summary.json`, 'utf8')) as {
    late: number;
    lateness: { count: number; max: number };
    queueing: { count: number; max: number };
    original: { onTimeRatio: number };
  };
  const timed = rows.map((r) => r as unknown as { sentMs: number; dueMs: number; queuedMs: number });
  t.ok(
    timed.every((r) => r.queuedMs >= 0 && r.sentMs - r.dueMs - r.queuedMs >= -0.002),
    "sentMs - dueMs - queuedMs, the generator's lag, is never negative",
  );
  t.equal(summary.queueing.count, timed.filter((r) => r.queuedMs > 0).length, 'queueing counts the rows held');
  t.equal(summary.lateness.count, rows.length, 'lateness has every request sent');
  t.equal(
    summary.late,
    timed.filter((r) => r.sentMs - r.dueMs - r.queuedMs > 10).length,
    "late counts the generator's lag beyond late_ms",
  );
  const maxQueued = Math.max(0, ...timed.map((r) => r.queuedMs));
  t.ok(
    Math.abs(summary.queueing.max - maxQueued) <= Math.max(0.01, maxQueued * 0.002),
    `the longest queueing, ${maxQueued.toFixed(3)} ms, to the histogram's precision`,
  );
  // Thresholds on either cause: the registry's queueing, the generator's lag.
  const { evaluateThresholds } = await import('../../../lib/thresholds/evaluate.js');
  const { parseThreshold } = await import('../../../lib/thresholds/expression.js');
  const parsed = ['all: queued_rate <= 100%', 'all: queueing_max >= 0ms', 'all: lateness_p99 >= 0ms'].map(
    (x) => parseThreshold(x) as Threshold,
  );
  const verdicts = evaluateThresholds(parsed, JSON.parse(readFileSync(`${output}.summary.json`, 'utf8')));
  t.same(
    verdicts.map((v) => v.pass),
    [true, true, true],
  );
  t.equal(
    verdicts[0].observed,
    timed.filter((r) => r.queuedMs > 0).length / rows.length,
    'queued_rate: the share of requests held',
  );
});

t.test(
  'a registry that wants HTTP Basic: the first read of each actor is answered 401 and retried with credentials',
  async (t) => {
    const dir = t.testdir();
    const htpasswd = join(dir, 'htpasswd');
    writeFileSync(htpasswd, execFileSync('htpasswd', ['-Bbn', 'drtp', 'replay-secret']));
    await writeSynthTrace(join(dir, 'traces'), { requests: 150, seed: 8, maxLayerBytes: 300_000, rate: 50 });
    const registry = await withRegistry(t, { htpasswd });
    const config = join(dir, 'config.yaml');
    // One connection per actor: each retry goes out while its 401 still holds that connection.
    writeFileSync(
      config,
      'client_info:\n  wait: false\n  threads: 1\n  in_flight: 1\ntrace:\n  location: traces\n  traces: [prod-dal09-logstash-2017.06.20-0.json]\n  output: out/results.ndjson\n' +
        `registry:\n  - url: ${registry.host}\n    username: drtp\n    password: replay-secret\nwarmup:\n  output: interm.json\n`,
    );
    const warm = await runCli(['warmup', config]);
    t.equal(warm.code, 0, warm.stderr);
    const run = await runCli(['run', config]);
    t.equal(run.code, 0, run.stderr);
    const rows = readRows(join(dir, 'out/results.ndjson'));
    const replayable = Number(/replayable (\d+)/.exec(run.stdout)?.[1]);
    t.ok(replayable > 0);
    t.equal(rows.length, replayable);
    t.same(
      rows.filter((r) => r.outcome !== 'ok').map((r) => `${r.class} ${r.status} ${r.error}`),
      [],
      'every request ok after authenticating',
    );
    t.same(
      rows.filter((r) => r.class.startsWith('GET') && r.size !== r.tracedSize),
      [],
      'every GET moved its traced size',
    );
  },
);

t.test('HEAD requests are replayed when trace.methods asks for them', async (t) => {
  const { config, output } = await setup(t, 300, '  wait: false', '');
  writeFileSync(
    config,
    readFileSync(config, 'utf8').replace(
      '  output: out/results.ndjson',
      '  output: out/results.ndjson\n  methods: [GET, PUT, HEAD]',
    ),
  );
  t.equal((await runCli(['warmup', config])).code, 0);
  const run = await runCli(['run', config]);
  t.equal(run.code, 0, run.stderr);
  const heads = readRows(output).filter((r) => r.class.startsWith('HEAD'));
  t.ok(heads.length > 0, `${heads.length} HEADs replayed`);
  t.ok(
    heads.every((r) => r.outcome === 'ok' && r.size === 0),
    'HEADs succeed and move no body',
  );
});

t.test('the registry stopping mid-run: failures counted with codes, files valid', async (t) => {
  const { config, output, registry } = await setup(
    t,
    300,
    '  wait: true\n  speed: 4\n  threads: 2\n  timeout_ms: 3000',
  );
  const resolved = await loadConfig(config);
  const trace = await loadConfiguredTrace(resolved);
  const map = await readDigestMap(resolved.warmup.output as string);
  let stopping: Promise<void> | undefined;
  // Stop the registry once the replay is under way (worker start-up time varies).
  const outcome = await runReplay({
    config: resolved,
    trace,
    map,
    registries: [resolveEndpoint(registry.host, '/')],
    onProgress: (p) => {
      if (p.done >= 20 && stopping === undefined) stopping = registry.stop();
    },
  });
  await stopping;
  const rows = readRows(output);
  const summary = readSummary(output);
  t.same(outcome.summary.requests, summary.requests);
  t.ok(summary.requests.ok >= 20, `requests succeeded before the stop (${summary.requests.ok})`);
  t.ok(summary.requests.failed > 0, `and later ones failed (${summary.requests.failed})`);
  t.equal(summary.requests.ok + summary.requests.failed + summary.requests.skipped, summary.requests.total);
  t.ok(
    Object.keys(summary.errors).every((code) => /^E_REGISTRY_(CONNECT|TIMEOUT|HTTP)/.test(code)),
    `codes: ${Object.keys(summary.errors).join(', ')}`,
  );
  t.equal(rows.filter((r) => r.outcome === 'failed').length, summary.requests.failed);
});

t.test('SIGINT mid-run: exit 130 with valid partial results and summary', async (t) => {
  const { config, output } = await setup(t, 300, '  wait: true\n  speed: 1\n  threads: 2');
  // Once the trace is read, so that a slow start on a loaded machine does not meet the signal first.
  const run = await runBin(['run', config], {
    timeoutMs: 60_000,
    signals: [{ signal: 'SIGINT', afterMs: 1500, when: /^replayable/m }],
  });
  t.equal(run.code, 130, run.stderr);
  const rows = readRows(output);
  const summary = readSummary(output);
  t.ok(summary.requests.ok > 0 && summary.requests.ok < 280, `partial: ${summary.requests.ok} done`);
  t.ok(summary.meta.stopped);
  t.ok(summary.skipped['not sent: the run was stopped'] > 0, 'what was not sent is accounted for');
  t.equal(rows.length, summary.requests.ok + summary.requests.failed, 'a row per request done');
});

t.test('a registry that accepts connections but never answers: every request times out, the run ends', async (t) => {
  const { createServer } = await import('node:net');
  const sockets: Socket[] = [];
  const server = createServer((socket) => void sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  const port = (server.address() as AddressInfo).port;
  const dir = t.testdir();
  await writeSynthTrace(join(dir, 'traces'), { requests: 40, seed: 3, maxLayerBytes: 10_000 });
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    `client_info:\n  wait: false\n  threads: 1\n  timeout_ms: 300\ntrace:\n  location: traces\n  traces: [prod-dal09-logstash-2017.06.20-0.json]\n  output: out/results.ndjson\n  methods: [GET]\nregistry: [127.0.0.1:${port}]\nwarmup:\n  output: interm.json\n`,
  );
  const resolved = await loadConfig(config);
  const trace = await loadConfiguredTrace(resolved);
  const map = new Map<string, string>();
  for (let i = 0; i < trace.table.length; i++) map.set(trace.table.uri(i), `sha256:${'ab'.repeat(32)}`);
  const outcome = await runReplay({
    config: resolved,
    trace,
    map,
    registries: [resolveEndpoint(`127.0.0.1:${port}`, '/')],
  });
  t.equal(outcome.summary.requests.ok, 0);
  t.equal(outcome.summary.requests.failed, trace.table.length, 'every request failed');
  t.same(Object.keys(outcome.summary.errors), ['E_REGISTRY_TIMEOUT'], 'with the timeout code');
});
