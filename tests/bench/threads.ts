/**
 * `npm run bench -- threads [ROUNDS]`: what this machine charges two threads of one process that touch
 * fresh memory at once, against two processes and one alone: random writes over an 80 MB array, fresh
 * (every page faulted in during the loop) and touched before the loop. drtp's workers are threads.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const run = promisify(execFile);
const ELEMENTS = 20_000_000;
const WRITES = 40_000_000;

/** Milliseconds of the random writes, over a fresh array or one touched before. */
function randomWrites(warm: boolean): number {
  const a = new Uint32Array(ELEMENTS);
  if (warm) a.fill(1);
  const started = performance.now();
  let sum = 0;
  let j = 1;
  for (let i = 0; i < WRITES; i++) {
    j = (j * 1103515245 + 12345) >>> 0;
    sum += a[j % a.length]++;
  }
  if (sum === -1) process.stdout.write('');
  return performance.now() - started;
}

const inThread = (warm: boolean): Promise<number> =>
  new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: warm });
    worker.once('message', (ms: number) => void worker.terminate().then(() => resolve(ms)));
    worker.once('error', reject);
  });

const inProcess = async (warm: boolean): Promise<number> => {
  const { stdout } = await run(process.execPath, [process.argv[1], 'threads', 'one', String(warm)]);
  return Number(stdout);
};

export async function runThreadsBench(args: string[]): Promise<void> {
  if (args[0] === 'one') {
    process.stdout.write(String(randomWrites(args[1] === 'true')));
    return;
  }
  const rounds = Number(args[0] ?? 3);
  for (const warm of [false, true]) {
    let alone = Infinity;
    let processes = Infinity;
    let threads = Infinity;
    for (let round = 0; round < rounds; round++) {
      alone = Math.min(alone, await inProcess(warm));
      processes = Math.min(processes, Math.max(...(await Promise.all([inProcess(warm), inProcess(warm)]))));
      threads = Math.min(threads, Math.max(...(await Promise.all([inThread(warm), inThread(warm)]))));
    }
    process.stdout.write(
      `random writes over an 80 MB array, ${warm ? 'touched before' : 'fresh'}, best of ${rounds}: alone ${alone.toFixed(0)} ms; ` +
        `two processes at once ${(processes / alone).toFixed(2)}x alone; two threads of one process at once ${(threads / alone).toFixed(2)}x alone\n`,
    );
  }
}

if (!isMainThread) parentPort?.postMessage(randomWrites(workerData === true));
