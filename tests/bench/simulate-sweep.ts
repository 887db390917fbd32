import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { runSweep, type SweepSpec } from '../../actors/simulate-master.js';
import { packageRoot } from '../../lib/paths.js';
import { loadTrace } from '../../lib/trace/load.js';
import { selectRequests } from '../../lib/trace/select.js';
import { shareTable } from '../../lib/trace/shared-table.js';
import { synthTable } from './drtp-cli.js';

const run = promisify(execFile);

/** The sweep: 4 policies x 8 sizes. */
const SPEC: SweepSpec = {
  models: ['lru', 'fifo', 'arc', 's3-fifo'],
  args: undefined,
  sweep: { capacity_gb: [10, 20, 40, 80, 120, 160, 240, 320] },
  baseDir: '.',
};

/** What one sweep process measured, in seconds. */
interface SweepRun {
  workers: number;
  /** runSweep whole: workers' start, the table's hand-over, the points, the results, the pool's end. */
  wall: number;
  cpu: number;
  /** Copying the table into shared memory, alone. */
  share: number;
  /** A sweep of one 1-request point per worker: starting and stopping the pool, a point's hand-over. */
  start: number;
}

/** Half the sweep, every model at every other size (`a`: 10, 40, ... GB; `b`: 20, 80, ...): a worker's share of it on two. */
function halfOf(spec: SweepSpec, part: 'a' | 'b'): SweepSpec {
  const sizes = spec.sweep.capacity_gb.filter((_, k) => k % 2 === (part === 'a' ? 0 : 1));
  return { ...spec, sweep: { capacity_gb: sizes } };
}

/**
 * `simulate sweep-run WORKERS TABLE [a|b]` (a process of its own): the sweep, or half of it, on WORKERS
 * workers, as JSON.
 */
export async function sweepRun(workers: number, file: string, part?: 'a' | 'b'): Promise<void> {
  const { table } = selectRequests((await loadTrace([file])).table, { includeFailed: true });
  let started = performance.now();
  shareTable(table);
  const share = (performance.now() - started) / 1000;
  started = performance.now();
  await runSweep(
    table.gather(Uint32Array.of(0)),
    { ...SPEC, models: ['lru'], sweep: { capacity_gb: [1, 2] } },
    workers,
  );
  const start = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage();
  started = performance.now();
  await runSweep(table, part === undefined ? SPEC : halfOf(SPEC, part), workers);
  const used = process.cpuUsage(cpu);
  const result: SweepRun = {
    workers,
    wall: (performance.now() - started) / 1000,
    cpu: (used.user + used.system) / 1e6,
    share,
    start,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** A sweep-run process; `oneCore`: every thread of it held to core 0 (taskset), V8's own threads too. */
async function child(workers: number, table: string, part?: 'a' | 'b', oneCore = false): Promise<SweepRun> {
  const command = [
    process.execPath,
    process.argv[1],
    'simulate',
    'sweep-run',
    String(workers),
    table,
    ...(part === undefined ? [] : [part]),
  ];
  const { stdout } = oneCore ? await run('taskset', ['-c', '0', ...command]) : await run(command[0], command.slice(1));
  return JSON.parse(stdout) as SweepRun;
}

/**
 * `npm run bench -- simulate sweep [REQUESTS] [ROUNDS]`: the 32-point sweep (4 policies x 8 sizes) of a
 * 2M-request `.drtp`, each sweep in a process of its own, on 1 and on 2 workers (target >= 1.8x), and
 * what bounds the ratio on this machine: two 1-worker sweeps in two processes at once against one alone
 * (each does the whole sweep, so each warms its compiler up once for 32 points); the sweep split in two
 * processes, 16 points each, at once (each warms up for 16, as each of two workers does); and the one
 * worker held to one core, so that V8's compiler and collector threads cannot borrow the idle one.
 * Interleaved rounds, best of each.
 */
export async function sweepBench(requests: number, rounds: number): Promise<number> {
  const table = synthTable(join(packageRoot(), 'bench-data', `simulate-sweep-${requests}`), requests);
  const best = new Map<string, SweepRun>();
  const keep = (name: string, r: SweepRun): void => {
    const seen = best.get(name);
    if (seen === undefined || r.wall < seen.wall) best.set(name, r);
  };
  let pairWall = Infinity;
  let splitWall = Infinity;
  for (let round = 0; round < rounds; round++) {
    keep('1', await child(1, table));
    keep('2', await child(2, table));
    keep('1 on one core', await child(1, table, undefined, true));
    const pair = await Promise.all([child(1, table), child(1, table)]);
    pairWall = Math.min(pairWall, Math.max(...pair.map((r) => r.wall)));
    const split = await Promise.all([child(1, table, 'a'), child(1, table, 'b')]);
    splitWall = Math.min(splitWall, Math.max(...split.map((r) => r.wall)));
  }
  const one = best.get('1') as SweepRun;
  const two = best.get('2') as SweepRun;
  const out = (s: string): boolean => process.stdout.write(`${s}\n`);
  out(
    `32-point sweep (lru, fifo, arc, s3-fifo x 8 sizes) of ${(requests / 1e6).toFixed(1)}M requests from .drtp, best of ${rounds} interleaved rounds:`,
  );
  for (const r of [one, two])
    out(
      `  ${r.workers} worker${r.workers > 1 ? 's' : ' '}: ${r.wall.toFixed(2)} s, ${r.cpu.toFixed(2)} CPU-s; serial: the table's copy into shared memory ${(r.share * 1000).toFixed(0)} ms (now while the workers start), a pool's start and stop with one tiny point per worker ${(r.start * 1000).toFixed(0)} ms`,
    );
  const ratio = one.wall / two.wall;
  out(`  2 workers: ${ratio.toFixed(2)}x one worker (target >= 1.8x)`);
  out(
    `  the machine's bound: two 1-worker sweeps in two processes at once, ${((2 * one.wall) / pairWall).toFixed(2)}x one alone (the slower of the two, ${pairWall.toFixed(2)} s)`,
  );
  out(
    `  the sweep split over two processes, 16 points each, at once: ${(one.wall / splitWall).toFixed(2)}x one worker (the slower half, ${splitWall.toFixed(2)} s)`,
  );
  const oneCore = best.get('1 on one core') as SweepRun;
  out(
    `  1 worker held to one core (taskset -c 0): ${oneCore.wall.toFixed(2)} s; 2 workers: ${(oneCore.wall / two.wall).toFixed(2)}x that`,
  );
  return ratio;
}
