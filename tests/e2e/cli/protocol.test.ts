import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { withRegistry } from '../../helpers/registry.js';
import { selfSigned } from '../../helpers/pki.js';
import { readAccessLog, type AccessLine } from '../../helpers/access-log.js';
import type { TraceRecord } from '../../helpers/fake-trace.js';
import { drtpVersion } from '../../../lib/version.js';

const DRTP = `drtp/${drtpVersion()}`;

interface Setup {
  dir: string;
  log: string;
  records: TraceRecord[];
  map: Record<string, string>;
  /** Writes run.yaml with these client_info keys and returns its path. */
  config(clientInfo: string): string;
}

/**
 * A docker-registry over TLS that keeps its access log, a synthetic trace whose records carry several
 * user agents per client (as real records may), warmed up through drtp with the default protocol.
 */
async function setUp(t: Test): Promise<Setup & { warmup: AccessLine[] }> {
  const dir = t.testdir();
  const pki = selfSigned(dir, 'registry');
  const registry = await withRegistry(t, { tls: { certificate: pki.cert, key: pki.key }, accessLog: true });
  const log = registry.accessLog as string;
  const synth = await runCli([
    'synth',
    '--out',
    dir,
    '--requests',
    '300',
    '--seed',
    '5',
    '--max-layer-size',
    '2000000',
  ]);
  t.equal(synth.code, 0, synth.stderr);
  const file = basename(synth.stdout.trim());
  const records = JSON.parse(readFileSync(join(dir, file), 'utf8')) as TraceRecord[];
  records.forEach(
    (r, i) => (r['http.request.useragent'] = `${r['http.request.useragent'] ?? ''} replay-test/${i % 5}`),
  );
  writeFileSync(join(dir, file), JSON.stringify(records));
  const config = (clientInfo: string): string => {
    const path = join(dir, 'run.yaml');
    writeFileSync(
      path,
      `client_info: {threads: 1, ${clientInfo}}\ntrace: {traces: [${file}], output: out/results.ndjson}\nregistry: [{url: "${registry.url}", ca: registry.crt}]\nwarmup: {output: map.json}\n`,
    );
    return path;
  };
  const before = readAccessLog(log).length;
  const warmup = await runCli(['warmup', config('')]);
  t.equal(warmup.code, 0, warmup.stderr);
  const map = JSON.parse(readFileSync(join(dir, 'map.json'), 'utf8')) as Record<string, string>;
  return { dir, log, records, map, config, warmup: readAccessLog(log).slice(before) };
}

/** Runs `config` and returns the access-log lines of the run's blob GETs. */
async function replayed(t: Test, s: Setup, clientInfo: string): Promise<AccessLine[]> {
  const before = readAccessLog(s.log).length;
  const run = await runCli(['run', s.config(clientInfo)]);
  t.equal(run.code, 0, run.stderr);
  t.match(
    run.stdout,
    clientInfo.includes('protocol: h1')
      ? /^https:\/\/127\.0\.0\.1:\d+: HTTP\/1\.1 \(client_info\.protocol h1\)$/m
      : /^https:\/\/127\.0\.0\.1:\d+: HTTP\/2 \(client_info\.protocol auto\)$/m,
    'the run says which version it speaks',
  );
  const summary = JSON.parse(readFileSync(join(s.dir, 'out/results.ndjson.summary.json'), 'utf8')) as {
    meta: { http: Record<string, string> };
  };
  t.same(
    Object.values(summary.meta.http),
    [clientInfo.includes('protocol: h1') ? 'HTTP/1.1' : 'HTTP/2'],
    'and the summary records it',
  );
  const rows = readFileSync(join(s.dir, 'out/results.ndjson'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { class: string });
  const gets = readAccessLog(s.log)
    .slice(before)
    .filter((l) => l.method === 'GET');
  t.equal(
    gets.length,
    rows.filter((r) => r.class.startsWith('GET')).length,
    'a GET reached the registry for every GET the run reports',
  );
  return gets;
}

/** `path user-agent` of every GET the trace asks the run for, as the registry should log it. */
function tracedGets(s: Setup, agent: (r: TraceRecord) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of s.records) {
    const uri = (r['http.request.uri'] ?? '').replace(/^\//, '');
    const digest = s.map[uri];
    if (
      r['http.request.method'] !== 'GET' ||
      digest === undefined ||
      (r['http.response.status'] ?? 0) >= 400 ||
      !((r['http.response.written'] ?? 0) > 0)
    )
      continue;
    const key = `${uri.replace(/\/manifests\/[^/]+$/, '/blobs/').replace(/\/blobs\/[^/]+$/, '/blobs/')}${digest} ${agent(r)}`;
    counts.set(`/${key}`, (counts.get(`/${key}`) ?? 0) + 1);
  }
  return counts;
}

function logged(lines: AccessLine[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const l of lines) counts.set(`${l.path} ${l.userAgent}`, (counts.get(`${l.path} ${l.userAgent}`) ?? 0) + 1);
  return counts;
}

t.test(
  "over TLS the replay speaks HTTP/2 with protocol auto, HTTP/1.1 with h1, each GET with its record's User-Agent",
  async (t) => {
    const s = await setUp(t);
    t.ok(s.warmup.length > 0, 'warmup reached the registry');
    t.same(
      [...new Set(s.warmup.map((l) => `${l.version} ${l.userAgent}`))],
      [`HTTP/2.0 ${DRTP}`],
      'warmup pushes over HTTP/2, as drtp',
    );

    const auto = await replayed(t, s, 'protocol: auto');
    t.ok(auto.length > 100, `${auto.length} GETs replayed`);
    t.same([...new Set(auto.map((l) => l.version))], ['HTTP/2.0'], 'protocol auto: every GET over HTTP/2');
    t.same(
      logged(auto),
      tracedGets(s, (r) => r['http.request.useragent'] ?? ''),
      "each GET of the trace reached the registry once, with its own record's User-Agent",
    );

    const h1 = await replayed(t, s, 'protocol: h1');
    t.same([...new Set(h1.map((l) => l.version))], ['HTTP/1.1'], 'protocol h1: every GET over HTTP/1.1');
    t.same(
      logged(h1),
      tracedGets(s, (r) => r['http.request.useragent'] ?? ''),
      'the same requests and agents over HTTP/1.1',
    );
  },
);

t.test('client_info.user_agent: drtp sends drtp/<version>, a string sends itself', async (t) => {
  const s = await setUp(t);
  t.same(
    logged(await replayed(t, s, 'user_agent: drtp')),
    tracedGets(s, () => DRTP),
    'drtp',
  );
  t.same(
    logged(await replayed(t, s, 'user_agent: "load-test/1.0 (lab)"')),
    tracedGets(s, () => 'load-test/1.0 (lab)'),
    'a fixed string',
  );
});

t.test('protocol h2 against a plain-HTTP registry is refused, naming the registry', async (t) => {
  const dir = t.testdir({ 'trace.json': '[]', 'map.json': '{}' });
  const registry = await withRegistry(t);
  writeFileSync(
    join(dir, 'run.yaml'),
    `client_info: {protocol: h2}\ntrace: {traces: [trace.json], output: out.ndjson}\nregistry: [${registry.host}]\nwarmup: {output: map.json}\n`,
  );
  const run = await runCli(['run', join(dir, 'run.yaml')]);
  t.equal(run.code, 2, 'a configuration error');
  t.match(
    run.stderr,
    new RegExp(
      `E_CONFIG: .*client_info.protocol is h2, but registry http://${registry.host.replace(/\./g, '\\.')} is plain HTTP`,
    ),
  );
});

t.test(
  'over HTTP/2, a registry that wants HTTP Basic answers the first reads 401 and the retries with credentials pass; HEADs replay too',
  async (t) => {
    const dir = t.testdir();
    const pki = selfSigned(dir, 'registry');
    const htpasswd = join(dir, 'htpasswd');
    writeFileSync(htpasswd, execFileSync('htpasswd', ['-Bbn', 'drtp', 'h2-secret']));
    const registry = await withRegistry(t, { tls: { certificate: pki.cert, key: pki.key }, htpasswd, accessLog: true });
    t.equal(
      (await runCli(['synth', '--out', dir, '--requests', '200', '--seed', '9', '--max-layer-size', '500000'])).code,
      0,
    );
    const config = join(dir, 'run.yaml');
    writeFileSync(
      config,
      'client_info: {threads: 1, wait: false}\ntrace: {traces: [prod-dal09-logstash-2017.06.20-0.json], output: out/results.ndjson, methods: [GET, PUT, HEAD]}\n' +
        `registry: [{url: "${registry.url}", ca: registry.crt, username: drtp, password: h2-secret}]\nwarmup: {output: map.json}\n`,
    );
    t.equal((await runCli(['warmup', config])).code, 0);
    const before = readAccessLog(registry.accessLog as string).length;
    const run = await runCli(['run', config]);
    t.equal(run.code, 0, run.stderr);
    const rows = readFileSync(join(dir, 'out/results.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { class: string; outcome: string; status: number; error: string | null });
    t.same(
      rows.filter((r) => r.outcome !== 'ok').map((r) => `${r.class} ${r.status} ${r.error}`),
      [],
      'every request ok after authenticating',
    );
    t.ok(
      rows.some((r) => r.class.startsWith('HEAD')),
      'HEADs replayed (trace.methods)',
    );
    const reads = readAccessLog(registry.accessLog as string)
      .slice(before)
      .filter((l) => l.method === 'GET' || l.method === 'HEAD');
    t.same([...new Set(reads.map((l) => l.version))], ['HTTP/2.0'], 'all over HTTP/2');
    t.ok(
      reads.some((l) => l.status === 401),
      'the registry asked for credentials',
    );
    t.equal(
      reads.filter((l) => l.status === 200).length,
      rows.filter((r) => !r.class.startsWith('PUT')).length,
      'every read answered once with credentials',
    );
  },
);
