import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RegistryClient } from '../../lib/registry/client.js';
import { generatedContent } from '../../lib/registry/content.js';
import { resolveEndpoint } from '../../lib/registry/endpoint.js';
import { startLocalRegistry } from '../../lib/registry/local.js';
import { selfSigned } from '../helpers/pki.js';
import { writeCliConfig, writeCliTrace } from './cli-trace.js';
import { DRTP_CLI } from './drtp-cli.js';

const run = promisify(execFile);

interface Probe {
  requests: number;
  errors: number;
  seconds: number;
  cpuSeconds: number;
  /** The probe's main thread: for drtp, the master. */
  mainCpuSeconds: number;
  maxRssBytes: number;
  tableBytes?: number;
}

const bench = (file: string): string => join(import.meta.dirname, file);

async function probe(
  tool: string,
  url: string,
  connections: number,
  requests: number,
  ...extra: string[]
): Promise<Probe> {
  return probeWith({}, tool, url, connections, requests, ...extra);
}

async function probeWith(
  env: Record<string, string>,
  tool: string,
  url: string,
  connections: number,
  requests: number,
  ...extra: string[]
): Promise<Probe> {
  const { stdout } = await run(
    process.execPath,
    [bench('load-probe.js'), tool, url, String(connections), String(requests), ...extra],
    { maxBuffer: 1 << 20, env: { ...process.env, ...env } },
  );
  const result = JSON.parse(stdout.trim().split('\n').pop() as string) as Probe;
  if (result.errors > 0) throw new Error(`${tool}: ${result.errors} of ${result.requests} requests failed`);
  return result;
}

async function trivialServer(
  bodyBytes: number,
  delayMs = 0,
  tls?: { cert: string; key: string },
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [bench('trivial-server.js'), String(bodyBytes), String(delayMs), ...(tls === undefined ? [] : [tls.cert, tls.key])],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<string>((resolve) =>
    child.stdout?.once('data', (d: Buffer) => resolve(d.toString().trim())),
  );
  return {
    url: `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}/v2/bench/repo/blobs/sha256:${'0'.repeat(64)}`,
    child,
  };
}

const TOOLS = ['autocannon', 'undici', 'dispatch', 'dispatch-worker', 'drtp'] as const;
type Tool = (typeof TOOLS)[number];
const LABELS: Record<Tool, string> = {
  autocannon: 'autocannon',
  undici: 'undici loop',
  dispatch: 'dispatch loop',
  'dispatch-worker': 'dispatch wkr',
  drtp: 'drtp run',
};

/** Keeps `p` under `key` unless a probe there took less CPU (noise only ever adds CPU). */
function keepLeastCpu(best: Map<string, Probe>, key: string, p: Probe): void {
  if ((best.get(key)?.cpuSeconds ?? Infinity) > p.cpuSeconds) best.set(key, p);
}

/**
 * drtp with each of `settings` (the probe's environment, by name) at each of `counts` requests from 64
 * clients, `rounds` interleaved rounds: the probe with the least CPU of each, by `name:requests`.
 */
async function bestDrtpProbes(
  url: string,
  settings: Record<string, Record<string, string>>,
  counts: number[],
  rounds: number,
): Promise<Map<string, Probe>> {
  const best = new Map<string, Probe>();
  for (let r = 0; r < rounds; r++)
    for (const [name, env] of Object.entries(settings))
      for (const requests of counts)
        keepLeastCpu(best, `${name}:${requests}`, await probeWith(env, 'drtp', url, 64, requests));
  return best;
}

/** A tool's cost at two request counts: the fewest CPU-seconds each took over the rounds. */
interface Cost {
  small: Probe;
  large: Probe;
  /** Requests per CPU-second of the extra requests of the large run: start-up excluded. */
  steady: number;
  /** Start-up CPU-seconds: what the small run cost beyond its requests at the steady rate. */
  startup: number;
}

/**
 * Every tool at `small` and at `large` requests, `rounds` times, the tools interleaved so that a slow
 * spell of a shared machine falls on all of them; each figure is the round with the least CPU (noise
 * only ever adds CPU). The steady state is the CPU of the `large - small` extra requests.
 */
async function costs(
  url: string,
  connections: number,
  small: number,
  large: number,
  rounds: number,
): Promise<Record<Tool, Cost>> {
  const best = new Map<string, Probe>();
  for (let r = 0; r < rounds; r++) {
    for (const tool of TOOLS) {
      keepLeastCpu(best, `${tool}:small`, await probe(tool, url, connections, small));
      keepLeastCpu(best, `${tool}:large`, await probe(tool, url, connections, large));
    }
  }
  const result = {} as Record<Tool, Cost>;
  for (const tool of TOOLS) {
    const s = best.get(`${tool}:small`) as Probe;
    const l = best.get(`${tool}:large`) as Probe;
    const steady = (l.requests - s.requests) / Math.max(1e-9, l.cpuSeconds - s.cpuSeconds);
    result[tool] = { small: s, large: l, steady, startup: Math.max(0, s.cpuSeconds - s.requests / steady) };
  }
  return result;
}

const line = (tool: Tool, c: Cost): string =>
  `  ${LABELS[tool].padEnd(13)} ${(c.large.requests / c.large.seconds).toFixed(0).padStart(7)} req/s  ${((c.large.cpuSeconds / c.large.requests) * 1e6).toFixed(0).padStart(6)} µs CPU/req  ` +
  `${(c.large.requests / c.large.cpuSeconds).toFixed(0).padStart(7)} req/CPU-s   steady state ${((1 / c.steady) * 1e6).toFixed(1).padStart(7)} µs/req ${c.steady.toFixed(0).padStart(7)} req/CPU-s, start-up ${c.startup.toFixed(2)} CPU-s`;

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** `--name=value` flags of the bench's arguments. */
function flag(args: string[], name: string, fallback: number): number {
  const arg = args.find((a) => a.startsWith(`--${name}=`));
  return arg === undefined ? fallback : Number(arg.slice(name.length + 3));
}

/**
 * `npm run bench -- run [--rounds=5] [--memory=5000000] [--sections=b,timing,...,tls,cli]`: the load generator's efficiency against
 * autocannon, a bare undici `request` loop and a bare undici `dispatch` loop, against a trivial
 * loopback server and against docker-registry (for 1 KiB, also whole runs of autocannon and drtp at
 * 100,000 GETs, up to three interleaved pairs); send lateness of an open-loop replay at 2,000
 * requests/s from 1,000 clients; peak memory of a long replay; and HTTP/2 against HTTP/1.1 over TLS.
 */
export async function runRunBench(args: string[]): Promise<void> {
  const memoryRequests = flag(args, 'memory', 5_000_000);
  const rounds = flag(args, 'rounds', 5);
  const out = (s: string): boolean => process.stdout.write(`${s}\n`);
  // --sections=b,timing,memory,c,a-1k,a-64k,a-1m,a-100k,tls,cli: a subset, e.g. the figures a change must not move.
  const only = args
    .find((a) => a.startsWith('--sections='))
    ?.slice('--sections='.length)
    .split(',');
  const section = (name: string): boolean => only === undefined || only.includes(name);

  if (section('b') || section('timing') || section('memory'))
    await trivialSections(rounds, memoryRequests, section, out);
  if (section('c')) await paceSection(rounds, out);
  if (['a-1k', 'a-64k', 'a-1m', 'a-100k'].some(section)) await registrySection(rounds, section, out);
  if (section('tls')) await tlsSection(rounds, out);
  if (section('cli')) await cliSection(rounds, out);
  if (section('master')) await masterSection(rounds, out);
}

/**
 * (f) The master's CPU per replayed request apart from its fixed costs, at 1 and 2 workers: drtp
 * replays 50,000 and 300,000 1 KiB GETs from 64 clients against the trivial server, live progress on
 * (as on a terminal); the master's per-request CPU is the difference of its thread's CPU over the
 * difference of requests, the workers' the same of the rest of the process (their threads and V8's).
 * Their ratio is how many workers one master can feed before it is the bottleneck.
 */
export async function masterSection(rounds: number, out: (s: string) => void): Promise<number> {
  const server = await trivialServer(1024);
  let fed = Infinity;
  const n = Math.min(rounds, 3);
  out(
    `\n(f) the master's share: drtp, 64 clients, 1 KiB, trivial server, live progress on, 50,000 and 300,000 GETs at 1 and 2 workers, best of ${n} interleaved rounds`,
  );
  try {
    const best = await bestDrtpProbes(
      server.url,
      {
        1: { DRTP_BENCH_WORKERS: '1', DRTP_BENCH_PROGRESS: '1' },
        2: { DRTP_BENCH_WORKERS: '2', DRTP_BENCH_PROGRESS: '1' },
      },
      [50_000, 300_000],
      n,
    );
    for (const workers of [1, 2]) {
      const small = best.get(`${workers}:50000`) as Probe;
      const large = best.get(`${workers}:300000`) as Probe;
      const extra = large.requests - small.requests;
      const master = Math.max(1e-9, (large.mainCpuSeconds - small.mainCpuSeconds) / extra);
      const rest = (large.cpuSeconds - large.mainCpuSeconds - (small.cpuSeconds - small.mainCpuSeconds)) / extra;
      const fixed = small.mainCpuSeconds - small.requests * master;
      fed = Math.min(fed, rest / master);
      out(
        `  ${workers} worker${workers === 1 ? ' ' : 's'}: master ${(master * 1e6).toFixed(3)} µs CPU per request, fixed ${fixed.toFixed(2)} CPU-s (of ${large.mainCpuSeconds.toFixed(2)} at 300,000); workers ${(rest * 1e6).toFixed(1)} µs per request: one master feeds ${(rest / master).toFixed(0)} workers (target > 64)`,
      );
    }
  } finally {
    server.child.kill('SIGTERM');
  }
  return fed;
}

const autocannonCli = join(import.meta.dirname, '..', '..', '..', 'node_modules', 'autocannon', 'autocannon.js');

/** The CPU-seconds (user + system) a whole process took, its output dropped: bash's `times` of its child. */
async function processCpu(command: string[], cwd: string): Promise<number> {
  const { stdout } = await run('bash', ['-c', '"$@" >/dev/null 2>/dev/null || exit 1; times', 'bash', ...command], {
    cwd,
    maxBuffer: 1 << 20,
  });
  const children = stdout.trim().split('\n')[1] ?? '';
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  if (seconds.length !== 2) throw new Error(`cannot read the CPU times of ${command.join(' ')} from "${stdout}"`);
  return seconds[0] + seconds[1];
}

/**
 * (e) The whole command line as a user runs it, each a process of its own and measured whole (CPU of
 * every thread, start-up and exit included): `drtp run` of a JSON trace (the IBM layout, 64 clients,
 * one request in flight each, one worker) against `autocannon -c 64 -a N` on the trivial server, at
 * 300,000 GETs, interleaved, best of `rounds`. Then where drtp's extra CPU goes, by difference: Node
 * with drtp's command line loaded (`drtp --version`), a 1,000-GET run (what every run costs besides its
 * requests), the same 300,000 GETs from a `.drtp` table (the JSON reading is the difference), and the
 * steady state per request (300,000 against 50,000 GETs).
 */
export async function cliSection(rounds: number, out: (s: string) => void): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'drtp-bench-cli-'));
  const server = await trivialServer(1024);
  const host = new URL(server.url).host;
  try {
    const configs = new Map<number, string>();
    for (const n of [1000, 50_000, 300_000]) configs.set(n, writeCliTrace(dir, n, 64, host));
    await run(process.execPath, [DRTP_CLI, 'import', 'trace-300000.json', '--out', 'trace-300000.drtp'], { cwd: dir });
    const fromTable = writeCliConfig(dir, 'trace-300000.drtp', host);
    const drtp = (config: string): string[] => [process.execPath, DRTP_CLI, 'run', config];
    const autocannon = (n: number): string[] => [
      process.execPath,
      autocannonCli,
      '-c',
      '64',
      '-a',
      String(n),
      server.url,
    ];
    const measures: Record<string, string[]> = {
      'autocannon 300k': autocannon(300_000),
      'drtp 300k': drtp(configs.get(300_000) as string),
      'autocannon 50k': autocannon(50_000),
      'drtp 50k': drtp(configs.get(50_000) as string),
      'drtp 300k .drtp': drtp(fromTable),
      'drtp 1k': drtp(configs.get(1000) as string),
      'autocannon 1k': autocannon(1000),
      'drtp --version': [process.execPath, DRTP_CLI, '--version'],
      'node -e 0': [process.execPath, '-e', '0'],
    };
    const best = new Map<string, number>();
    for (let r = 0; r < rounds; r++)
      for (const [name, command] of Object.entries(measures)) {
        const cpu = await processCpu(command, dir);
        best.set(name, Math.min(best.get(name) ?? Infinity, cpu));
      }
    const cpu = (name: string): number => best.get(name) as number;
    out(
      `\n(e) the command line, whole processes: drtp run of a JSON trace (IBM layout, 64 clients, 1 in flight, 1 worker) and autocannon -c 64 -a N, trivial server, 1 KiB, best of ${rounds} interleaved rounds`,
    );
    for (const name of Object.keys(measures)) out(`  ${name.padEnd(17)} ${cpu(name).toFixed(2).padStart(6)} CPU-s`);
    const steady = (tool: string): number => (cpu(`${tool} 300k`) - cpu(`${tool} 50k`)) / 250_000;
    const ratio = cpu('autocannon 300k') / cpu('drtp 300k');
    out(`  drtp / autocannon requests per CPU-second, 300,000 GETs: ${ratio.toFixed(2)}x (target >= 1.0x)`);
    out(
      `  where drtp's CPU goes (300,000 GETs, ${cpu('drtp 300k').toFixed(2)} CPU-s): Node and drtp's entry, no command loaded ${cpu('drtp --version').toFixed(2)} (autocannon's whole 1,000-GET run ${cpu('autocannon 1k').toFixed(2)}); ` +
        `a run's fixed costs beyond that (the run command's modules included) ${(cpu('drtp 1k') - cpu('drtp --version')).toFixed(2)}; reading the JSON trace ${(cpu('drtp 300k') - cpu('drtp 300k .drtp')).toFixed(2)}; ` +
        `per request, steady state ${(steady('drtp') * 1e6).toFixed(1)} µs against autocannon's ${(steady('autocannon') * 1e6).toFixed(1)} µs`,
    );
    return ratio;
  } finally {
    server.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * (d) drtp over TLS, HTTP/2 against HTTP/1.1 (`client_info.protocol` h2 and h1), on the trivial server
 * offering both by ALPN: 64 clients with docker's 3 requests in flight, so HTTP/1.1 holds 192 TLS
 * connections where HTTP/2 holds 64 with 3 streams each.
 */
async function tlsSection(rounds: number, out: (s: string) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'drtp-bench-tls-'));
  const { cert, key } = selfSigned(dir, 'server');
  const server = await trivialServer(1024, 0, { cert, key });
  const n = Math.min(rounds, 3);
  out(
    `\n(d) TLS, trivial server offering h2 and http/1.1, 1 KiB bodies, 64 clients x 3 in flight: drtp with protocol h1 and h2, 20,000 and 60,000 GETs, best of ${n} interleaved rounds`,
  );
  try {
    const best = await bestDrtpProbes(
      server.url,
      {
        h1: { DRTP_BENCH_PROTOCOL: 'h1', DRTP_BENCH_IN_FLIGHT: '3' },
        h2: { DRTP_BENCH_PROTOCOL: 'h2', DRTP_BENCH_IN_FLIGHT: '3' },
      },
      [20_000, 60_000],
      n,
    );
    const row = (protocol: string): { steady: number; whole: Probe } => {
      const s = best.get(`${protocol}:20000`) as Probe;
      const l = best.get(`${protocol}:60000`) as Probe;
      return { steady: (l.requests - s.requests) / Math.max(1e-9, l.cpuSeconds - s.cpuSeconds), whole: l };
    };
    const h1 = row('h1');
    const h2 = row('h2');
    for (const [label, c] of [
      ['HTTP/1.1', h1],
      ['HTTP/2', h2],
    ] as const) {
      out(
        `  drtp ${label.padEnd(8)} ${(c.whole.requests / c.whole.seconds).toFixed(0).padStart(7)} req/s  ${((c.whole.cpuSeconds / c.whole.requests) * 1e6).toFixed(0).padStart(6)} µs CPU/req  steady state ${((1 / c.steady) * 1e6).toFixed(1).padStart(6)} µs/req`,
      );
    }
    out(
      `  HTTP/2 / HTTP/1.1 CPU per request: whole 60,000-request runs ${(h2.whole.cpuSeconds / h1.whole.cpuSeconds).toFixed(2)}x, steady state ${(h1.steady / h2.steady).toFixed(2)}x; requests per second ${(h2.whole.requests / h2.whole.seconds / (h1.whole.requests / h1.whole.seconds)).toFixed(2)}x`,
    );
  } finally {
    server.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function trivialSections(
  rounds: number,
  memoryRequests: number,
  section: (name: string) => boolean,
  out: (s: string) => void,
): Promise<void> {
  const trivial = await trivialServer(1024);
  try {
    if (section('b')) {
      out(
        `(b) trivial loopback server, 1 KiB bodies, 64 connections: 50,000 and 300,000 GETs per tool, best of ${rounds} interleaved rounds`,
      );
      const c = await costs(trivial.url, 64, 50_000, 300_000, rounds);
      for (const tool of TOOLS) out(line(tool, c[tool]));
      out(
        `  drtp / autocannon requests per CPU-second: steady state ${(c.drtp.steady / c.autocannon.steady).toFixed(2)}x (target >= 0.8x); whole 300,000-request runs ${(c.autocannon.large.cpuSeconds / c.drtp.large.cpuSeconds).toFixed(2)}x; drtp / the dispatch loop in a worker (the floor of drtp's shape): steady state ${(c.drtp.steady / c['dispatch-worker'].steady).toFixed(2)}x, whole runs ${(c['dispatch-worker'].large.cpuSeconds / c.drtp.large.cpuSeconds).toFixed(2)}x`,
      );
    }
    if (section('timing')) {
      out('\ntiming: open loop at 2,000 requests/s from 1,000 clients, 20,000 requests, trivial server, 3 runs');
      for (let run = 1; run <= 3; run++) {
        const results = join(tmpdir(), `drtp-bench-lateness-${process.pid}.ndjson`);
        await probe('drtp', trivial.url, 1000, 20_000, '2000', results);
        const rows = readFileSync(results, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { sentMs: number; dueMs: number });
        const late = Float64Array.from(rows, (r) => r.sentMs - r.dueMs).sort();
        out(
          `  run ${run}: send lateness (sent - due) p50 ${percentile(late, 50).toFixed(3)} ms, p99 ${percentile(late, 99).toFixed(3)} ms, p99.9 ${percentile(late, 99.9).toFixed(3)} ms, max ${late[late.length - 1].toFixed(3)} ms (targets: p99 < 2 ms, max < 20 ms)`,
        );
        rmSync(results, { force: true });
        rmSync(`${results}.summary.json`, { force: true });
      }
    }
    if (section('memory')) {
      out(`\nmemory: ${memoryRequests.toLocaleString('en-US')} requests as fast as possible, trivial server`);
      const mem = await probe('drtp', trivial.url, 64, memoryRequests);
      out(
        `  peak RSS ${(mem.maxRssBytes / 1e6).toFixed(0)} MB, trace table ${((mem.tableBytes ?? 0) / 1e6).toFixed(0)} MB, beyond the table ${((mem.maxRssBytes - (mem.tableBytes ?? 0)) / 1e6).toFixed(0)} MB (target < 300 MB); ${(mem.requests / mem.seconds).toFixed(0)} req/s`,
      );
    }
  } finally {
    trivial.child.kill('SIGTERM');
  }
}

async function paceSection(rounds: number, out: (s: string) => void): Promise<void> {
  out(
    `\n(c) a registry's pace without its CPU: the trivial server answering 1 KiB after 100 ms, 64 connections (~640 requests/s): 3,200 and 9,600 GETs, best of ${Math.min(rounds, 2)} interleaved rounds`,
  );
  const slow = await trivialServer(1024, 100);
  try {
    // Two rounds unless fewer are asked for: with one, a tool's steady figure here moved by half between runs.
    const c = await costs(slow.url, 64, 3_200, 9_600, Math.min(rounds, 2));
    for (const tool of TOOLS) out(line(tool, c[tool]));
    out(
      `  drtp CPU per request: ${(c.drtp.large.cpuSeconds / c.autocannon.large.cpuSeconds).toFixed(2)}x autocannon's (steady state ${(c.autocannon.steady / c.drtp.steady).toFixed(2)}x), ${(c.drtp.large.cpuSeconds / c.dispatch.large.cpuSeconds).toFixed(2)}x the dispatch loop's (steady state ${(c.dispatch.steady / c.drtp.steady).toFixed(2)}x)`,
    );
  } finally {
    slow.child.kill('SIGTERM');
  }
}

async function registrySection(
  rounds: number,
  section: (name: string) => boolean,
  out: (s: string) => void,
): Promise<void> {
  out(`\n(a) docker-registry, 64 connections, GETs of one blob, best of ${Math.min(rounds, 2)} interleaved rounds`);
  const registry = await startLocalRegistry();
  try {
    const client = new RegistryClient(resolveEndpoint(registry.host, '/'));
    // 1 KiB: both counts run past ~9 s, so that the master's first memory-reducer cycle (~8 s after its
    // start-up collection) falls in both and the steady state is the requests' cost alone.
    for (const [label, size, small, large, name] of [
      ['1 KiB', 1024, 10_000, 30_000, 'a-1k'],
      ['64 KiB', 65_536, 1_000, 5_000, 'a-64k'],
      ['1 MiB', 1 << 20, 200, 1_000, 'a-1m'],
    ] as const) {
      if (!section(name) && !(size === 1024 && section('a-100k'))) continue;
      const digest = await client.pushBlob('bench/repo', generatedContent(`bench-${size}`, size, true));
      const url = `${registry.url}/v2/bench/repo/blobs/${digest}`;
      if (section(name)) {
        out(` ${label} blobs, ${small.toLocaleString('en-US')} and ${large.toLocaleString('en-US')} GETs`);
        const c = await costs(url, 64, small, large, Math.min(rounds, 2));
        for (const tool of TOOLS) out(line(tool, c[tool]));
        const ratio = (base: Tool): string =>
          `${(c.drtp.large.cpuSeconds / c[base].large.cpuSeconds).toFixed(2)}x (steady state ${(c[base].steady / c.drtp.steady).toFixed(2)}x)`;
        out(
          `  drtp CPU per request: ${ratio('autocannon')} autocannon's, ${ratio('undici')} the undici loop's, ${ratio('dispatch')} the dispatch loop's, ${ratio('dispatch-worker')} the dispatch loop's in a worker (the floor of drtp's shape)`,
        );
        out(
          `  the floor of drtp's shape, whole runs: ${(c['dispatch-worker'].large.cpuSeconds / c.autocannon.large.cpuSeconds).toFixed(2)}x autocannon's CPU (start-up ${c['dispatch-worker'].startup.toFixed(2)} vs ${c.autocannon.startup.toFixed(2)} CPU-s)`,
        );
      }
      if (size === 1024 && section('a-100k')) {
        // The issue's reference figures are CPU-seconds per 100,000 1 KiB GETs: whole runs at that
        // scale, where a run's start-up weighs what it does in a replay of that length (~100 s each).
        // One pair moved by ±6% between pairs here, as much as the figure it is meant to settle, so
        // the pairs are interleaved and the ratio is of the sums.
        const pairs = Math.min(rounds, 3);
        const long: { autocannon: Probe; drtp: Probe }[] = [];
        for (let pair = 0; pair < pairs; pair++)
          long.push({
            autocannon: await probe('autocannon', url, 64, 100_000),
            drtp: await probe('drtp', url, 64, 100_000),
          });
        const per100k = (p: Probe): string => ((p.cpuSeconds / p.requests) * 1e5).toFixed(2);
        const sum = (tool: 'autocannon' | 'drtp'): number => long.reduce((s, p) => s + p[tool].cpuSeconds, 0);
        out(
          `  100,000 GETs, whole runs, ${pairs} interleaved pairs, CPU-s per 100k (autocannon / drtp): ${long.map((p) => `${per100k(p.autocannon)} / ${per100k(p.drtp)} (${(p.drtp.cpuSeconds / p.autocannon.cpuSeconds).toFixed(2)}x)`).join(', ')}`,
        );
        out(
          `  drtp CPU per request at 100,000 GETs: ${(sum('drtp') / sum('autocannon')).toFixed(2)}x autocannon's (the pairs' sums; target <= 1x)`,
        );
      }
    }
    await client.close();
  } finally {
    await registry.stop();
  }
}
