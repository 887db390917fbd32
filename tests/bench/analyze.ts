import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { analyzeTraces } from '../../actors/analyze-master.js';
import { analyzeTable } from '../../lib/analyze/pass.js';
import { packageRoot } from '../../lib/paths.js';
import { writeTable } from '../../lib/trace/binary.js';
import { loadTrace } from '../../lib/trace/load.js';
import { readTable } from '../../lib/trace/binary.js';
import { StringPool } from '../../lib/trace/string-pool.js';
import { TraceTable } from '../../lib/trace/table.js';
import { runIngestBench } from './ingest.js';
import { DRTP_CLI, synthTable } from './drtp-cli.js';

/** CPU-seconds of this process (every thread) while `work` runs, and its wall seconds. */
async function measured<T>(work: () => Promise<T> | T): Promise<{ value: T; cpu: number; wall: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = await work();
  const used = process.cpuUsage(cpu);
  return { value, cpu: (used.user + used.system) / 1e6, wall: (performance.now() - started) / 1000 };
}

const rate = (requests: number, seconds: number): string => `${(requests / seconds / 1e6).toFixed(2)} M requests/s`;

/**
 * `npm run bench -- analyze [REQUESTS]`: the ingest benchmark's multi-file trace (2.8M requests by
 * default). Analysis alone, on a loaded table (the .drtp path: target 2M requests/s per core), best of
 * three; whole `analyzeTraces` runs of the .drtp and of the JSON files, in requests per CPU-second; and
 * the JSON files on 1 and 2 workers.
 */
export async function runAnalyzeBench(args: string[]): Promise<void> {
  if (args[0] === 'corpus') return analyzeCorpus();
  if (args[0] === 'corpus-run') return analyzeCorpusRun(Number(args[1]));
  if (args[0] === 'span') {
    await analyzeSpan(Number(args[1] ?? 1_000_000), Number(args[2] ?? 5));
    return;
  }
  const requests = Number(args[0] ?? 2_800_000);
  const dir = join(packageRoot(), 'bench-data', `ingest-${requests}`);
  if (!existsSync(join(dir, 'done'))) await runIngestBench([String(requests)]);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(dir, f));
  const out = (s: string): boolean => process.stdout.write(`${s}\n`);

  const table = join(dir, 'trace.drtp');
  const loaded = await loadTrace(files);
  if (!existsSync(table)) await writeTable(table, loaded.table, { files });
  const n = loaded.table.length;
  let pass = Infinity;
  for (let round = 0; round < 3; round++)
    pass = Math.min(pass, (await measured(() => analyzeTable(table, loaded.table, loaded.stats))).cpu);
  out(
    `analysis of a loaded ${n.toLocaleString('en-US')}-request table (one pass, one core): ${pass.toFixed(2)} CPU-s, ${rate(n, pass)} per core (target >= 2 M/s)`,
  );

  const drtp = await measured(() => analyzeTraces([table], { workers: 1 }));
  out(
    `analyze the .drtp (load + analysis): ${drtp.wall.toFixed(2)} s, ${drtp.cpu.toFixed(2)} CPU-s: ${rate(n, drtp.cpu)} per CPU-second`,
  );
  const one = await measured(() => analyzeTraces(files, { workers: 1 }));
  out(
    `analyze ${files.length} JSON files: 1 worker ${one.wall.toFixed(1)} s, ${one.cpu.toFixed(1)} CPU-s: ${rate(n, one.cpu)} per CPU-second`,
  );
  const two = await measured(() => analyzeTraces(files, { workers: 2 }));
  out(
    `analyze ${files.length} JSON files: 2 workers ${two.wall.toFixed(1)} s: ${(one.wall / two.wall).toFixed(2)}x one worker (target >= 1.8x)`,
  );
}

/** Days of the IBM corpus's scale: 38 million requests, as 38 tables of 1M (a day of a data center each). */
const CORPUS_TABLES = 38;
const DAY_MS = 86_400_000;

/**
 * `npm run bench -- analyze corpus`: the corpus's scale, 38M requests in 38 .drtp tables, analyzed on
 * every core (target: under 20 s on 2 cores). The tables are the 1M-request bench table, each a day
 * later than the one before and with its ids made distinct (every hex digit of every string mapped by an
 * affine map of its own), so the merge meets as many distinct layers, repositories and clients as days.
 */
async function analyzeCorpus(): Promise<void> {
  const source = join(packageRoot(), 'bench-data', 'ingest-1000000', 'trace.drtp');
  if (!existsSync(source)) await runAnalyzeBench(['1000000']);
  const dir = join(packageRoot(), 'bench-data', 'corpus');
  const tables = Array.from({ length: CORPUS_TABLES }, (_, k) => join(dir, `day-${String(k).padStart(2, '0')}.drtp`));
  if (!tables.every((file) => existsSync(file))) {
    process.stdout.write(`writing ${CORPUS_TABLES} tables of the 1M-request trace into ${dir} ...\n`);
    mkdirSync(dir, { recursive: true });
    const { table } = await readTable(source);
    for (const [k, file] of tables.entries()) await writeTable(file, shiftedCopy(table, k), { files: [file] });
  }
  // Each run in a fresh process: a master heap left large by the run before slows the next one's collections.
  for (const workers of [1, 2, 2]) {
    process.stdout.write(
      execFileSync(process.execPath, [process.argv[1], 'analyze', 'corpus-run', String(workers)], { encoding: 'utf8' }),
    );
  }
}

async function analyzeCorpusRun(workers: number): Promise<void> {
  const dir = join(packageRoot(), 'bench-data', 'corpus');
  const tables = Array.from({ length: CORPUS_TABLES }, (_, k) => join(dir, `day-${String(k).padStart(2, '0')}.drtp`));
  const requests = CORPUS_TABLES * 1_000_000;
  const run = await measured(() => analyzeTraces(tables, { workers }));
  process.stdout.write(
    `analyze ${(requests / 1e6).toFixed(0)}M requests in ${CORPUS_TABLES} .drtp tables, ${workers} worker${workers > 1 ? 's' : ''}: ${run.wall.toFixed(1)} s, ${run.cpu.toFixed(1)} CPU-s, ${rate(requests, run.wall)}${workers === 2 ? ' (target: under 20 s on 2 cores)' : ''}\n`,
  );
}

const HEX = '0123456789abcdef';

/** `table`, `k` days later, with every hex digit of its strings mapped anew: ids distinct from other copies'. */
function shiftedCopy(table: TraceTable, k: number): TraceTable {
  const rotate = new Uint8Array(256).map((_, c) => {
    const digit = HEX.indexOf(String.fromCharCode(c));
    // An affine map of the digits per copy: 48 distinct ones (multipliers 1, 15 and 3 are invertible mod 16).
    return digit < 0 ? c : HEX.charCodeAt(([1, 15, 3][Math.floor(k / 16) % 3] * digit + k) % 16);
  });
  const pool = (p: StringPool): StringPool =>
    new StringPool(
      p.bytes.map((c) => rotate[c]),
      p.offsets,
    );
  const columns = { ...table.columns, time: table.columns.time.map((t) => t + k * DAY_MS) };
  return new TraceTable(table.length, columns, {
    repos: pool(table.pools.repos),
    objects: pool(table.pools.objects),
    clients: pool(table.pools.clients),
    agents: table.pools.agents,
  });
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
};

/** Seconds with requests, and the span in days, of a table. */
async function secondsOf(table: string): Promise<{ seconds: number; days: number }> {
  const { table: t } = await readTable(table);
  const time = t.columns.time;
  let seconds = 0;
  for (let i = 0, last = NaN; i < t.length; i++) {
    const second = Math.floor(time[i] / 1000);
    if (second !== last) seconds++;
    last = second;
  }
  return { seconds, days: t.length === 0 ? 0 : (time[t.length - 1] - time[0]) / DAY_MS };
}

/**
 * `npm run bench -- analyze span [REQUESTS] [ROUNDS]`: `drtp analyze --json` of a .drtp of 1M requests
 * spanning weeks (as the real files do) and of the same number over hours, each a process of its own
 * timed whole from the command line (target: under 1.0 s of wall time), interleaved rounds.
 */
export async function analyzeSpan(requests: number, rounds: number): Promise<number> {
  const base = join(packageRoot(), 'bench-data', `analyze-span-${requests}`);
  const cases = [
    { name: 'weeks', table: synthTable(join(base, 'weeks'), requests, ['--rate', '0.25']) },
    { name: 'hours', table: synthTable(join(base, 'hours'), requests, ['--rate', '50']) },
  ];
  const walls = new Map(cases.map((c) => [c.name, [] as number[]]));
  for (let round = 0; round < rounds; round++)
    for (const { name, table } of cases) {
      const started = performance.now();
      execFileSync(process.execPath, [DRTP_CLI, 'analyze', '--json', table], { stdio: 'ignore' });
      walls.get(name)?.push((performance.now() - started) / 1000);
    }
  process.stdout.write(
    `drtp analyze --json of a ${(requests / 1e6).toFixed(1)}M-request .drtp, a process each, ${rounds} interleaved rounds:\n`,
  );
  for (const { name, table } of cases) {
    const wall = walls.get(name) ?? [];
    const { seconds, days } = await secondsOf(table);
    process.stdout.write(
      `  over ${name} (${days.toFixed(1)} days, ${seconds.toLocaleString('en-US')} seconds with requests): best ${Math.min(...wall).toFixed(2)} s, median ${median(wall).toFixed(2)} s (target < 1.0 s)\n`,
    );
  }
  return median(walls.get('weeks') ?? [Infinity]);
}
