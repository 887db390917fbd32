import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startLocalRegistry, type LocalRegistry } from '../../lib/registry/local.js';
import { DRTP_CLI } from './drtp-cli.js';

const exec = promisify(execFile);
const bench = (file: string): string => join(import.meta.dirname, file);

/** `--name=value` flags of the bench's arguments. */
function flag(args: string[], name: string, fallback: number): number {
  const arg = args.find((a) => a.startsWith(`--${name}=`));
  return arg === undefined ? fallback : Number(arg.slice(name.length + 3));
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function drtp(args: string[], pinTo: number | undefined, cwd: string): Promise<string> {
  const command =
    pinTo === undefined
      ? [process.execPath, DRTP_CLI, ...args]
      : ['taskset', '-c', String(pinTo), process.execPath, DRTP_CLI, ...args];
  const { stdout } = await exec(command[0], command.slice(1), { cwd, maxBuffer: 16 << 20 });
  return stdout;
}

/** Pins every thread of `pid` to `cores` (a taskset list). */
async function pin(pid: number, cores: string): Promise<void> {
  await exec('taskset', ['-a', '-cp', cores, String(pid)]);
}

async function trivialServer(): Promise<{ host: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [bench('trivial-server.js'), '1024'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) =>
    child.stdout?.once('data', (d: Buffer) => resolve(d.toString().trim())),
  );
  return { host: `127.0.0.1:${port}`, child };
}

interface Row {
  outcome: string;
  client: string;
  dueMs: number;
  sentMs: number;
  queuedMs: number;
}

function sentRows(results: string): Row[] {
  return readFileSync(results, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Row)
    .filter((r) => r.outcome !== 'skipped');
}

const ms = (v: number): string => v.toFixed(3).padStart(7);
const lagText = (lag: Float64Array): string =>
  `lag p50 ${ms(percentile(lag, 50))} p99 ${ms(percentile(lag, 99))} p99.9 ${ms(percentile(lag, 99.9))} max ${ms(lag[lag.length - 1] ?? 0)} ms`;

/** The generator's lag and the queueing of one run, from its result rows. */
function timing(rows: Row[]): { lag: Float64Array; text: string } {
  const lag = Float64Array.from(rows, (r) => r.sentMs - r.dueMs - r.queuedMs).sort();
  const queued = Float64Array.from(
    rows.filter((r) => r.queuedMs > 0),
    (r) => r.queuedMs,
  ).sort();
  const text = `${lagText(lag)}; queued ${String(queued.length).padStart(4)} of ${rows.length}${queued.length > 0 ? ` (p99 ${percentile(queued, 99).toFixed(1)} ms, max ${queued[queued.length - 1].toFixed(1)} ms)` : ''}`;
  return { lag, text };
}

/** The bare sender of timing-floor.ts on core 0 over `schedule`, against `host`: its lags, sorted. */
async function floor(host: string, schedule: string): Promise<Float64Array> {
  const { stdout } = await exec(
    'taskset',
    ['-c', '0', process.execPath, bench('timing-floor.js'), `http://${host}/v2/bench/floor/blobs/sha256:0`, schedule],
    { maxBuffer: 16 << 20 },
  );
  return Float64Array.from(JSON.parse(stdout) as number[]);
}

/**
 * `npm run bench -- timing [--runs=3] [--requests=3000] [--rate=200] [--keep=DIR]`: how close to the trace's times the
 * generator sends, apart from what the registry makes wait. A bursty synthetic trace (`drtp synth`: its
 * fleet pulls put dozens of manifest GETs in one millisecond, then their layer GETs at a few hundred a
 * second) is warmed into docker-registry and replayed through the CLI at trace speed against (a) a
 * trivial server pinned to core 1, drtp to core 0, (b) docker-registry pinned to core 1, drtp to core 0,
 * (c) docker-registry and drtp sharing both cores; each printed as the generator's lag (sent - due -
 * queued) and the requests queued behind their own client's. In (a) each run is followed by its
 * baseline: the same due times and clients sent by a bare loop (timing-floor.ts) on the same core.
 */
export async function runTimingBench(args: string[]): Promise<void> {
  const runs = flag(args, 'runs', 3);
  const requests = flag(args, 'requests', 3000);
  const rate = flag(args, 'rate', 200);
  // --keep=DIR: the result rows of every run stay there, as a-1.ndjson and so on, to be looked into.
  const keep = args.find((a) => a.startsWith('--keep='))?.slice('--keep='.length);
  if (keep !== undefined) mkdirSync(keep, { recursive: true });
  const out = (s: string): boolean => process.stdout.write(`${s}\n`);
  const dir = mkdtempSync(join(tmpdir(), 'drtp-bench-timing-'));
  let registry: LocalRegistry | undefined;
  let trivial: { host: string; child: ChildProcess } | undefined;
  try {
    await drtp(
      [
        'synth',
        '--out',
        'traces',
        '--requests',
        String(requests),
        '--seed',
        '29',
        '--rate',
        String(rate),
        '--max-layer-size',
        '65536',
      ],
      undefined,
      dir,
    );
    registry = await startLocalRegistry();
    trivial = await trivialServer();
    const config = (host: string, checkSizes: boolean): string => {
      const file = join(dir, `run-${host.replace(/[^0-9]/g, '')}.yaml`);
      writeFileSync(
        file,
        [
          'client_info:',
          '  threads: 1',
          '  wait: true',
          `  check_sizes: ${checkSizes}`,
          'trace:',
          '  location: traces',
          '  traces: [prod-dal09-logstash-2017.06.20-0.json]',
          '  output: results/output.ndjson',
          `registry: [${host}]`,
          'warmup:',
          '  output: results/interm.json',
          '  threads: 8',
          '',
        ].join('\n'),
      );
      return file;
    };
    await drtp(['warmup', config(registry.host, true)], undefined, dir);
    const settings = [
      {
        name: 'a',
        label: '(a) trivial server on core 1, drtp on core 0',
        host: trivial.host,
        pid: trivial.child.pid as number,
        pinned: true,
        checkSizes: false,
      },
      {
        name: 'b',
        label: '(b) docker-registry on core 1, drtp on core 0',
        host: registry.host,
        pid: registry.pid,
        pinned: true,
        checkSizes: true,
      },
      {
        name: 'c',
        label: '(c) docker-registry and drtp sharing both cores',
        host: registry.host,
        pid: registry.pid,
        pinned: false,
        checkSizes: true,
      },
    ];
    out(
      `timing: ${requests.toLocaleString('en-US')} requests of a bursty synthetic trace (drtp synth --rate ${rate}: fleet pulls of 10-60 clients in one millisecond), replayed at trace speed through \`drtp run\`, ${runs} runs each`,
    );
    out('  targets: generator lag p99 < 1 ms and max < 10 ms in (a), p99 < 2 ms in (b)');
    for (const s of settings) {
      await pin(s.pid, s.pinned ? '1' : '0,1');
      out(` ${s.label}`);
      const file = config(s.host, s.checkSizes);
      for (let run = 1; run <= runs; run++) {
        await drtp(['run', file], s.pinned ? 0 : undefined, dir);
        const results = join(dir, 'results', 'output.ndjson');
        const rows = sentRows(results);
        const drtpTiming = timing(rows);
        out(`  run ${run}: drtp       ${drtpTiming.text}`);
        if (keep !== undefined) copyFileSync(results, join(keep, `${s.name}-${run}.ndjson`));
        if (s.name === 'a') {
          // The baseline, in the same setting: the same due times and clients through a bare loop.
          const schedule = join(dir, 'schedule.json');
          writeFileSync(
            schedule,
            JSON.stringify(rows.map((r): [number, string] => [r.dueMs, r.client]).sort((x, y) => x[0] - y[0])),
          );
          const bare = await floor(s.host, schedule);
          const p99 = (lag: Float64Array): number => Math.max(1e-3, percentile(lag, 99));
          out(
            `         bare loop  ${lagText(bare)}; drtp / bare loop: p99 ${(p99(drtpTiming.lag) / p99(bare)).toFixed(2)}x, max ${(drtpTiming.lag[drtpTiming.lag.length - 1] / Math.max(1e-3, bare[bare.length - 1])).toFixed(2)}x`,
          );
        }
      }
    }
  } finally {
    trivial?.child.kill('SIGTERM');
    await registry?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
