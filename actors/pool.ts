import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { Piscina } from 'piscina';

/**
 * Worker isolates are created without V8's memory reducer, which starts full collections of an isolate
 * whose allocation rate drops, to give memory back. A client actor at a registry's pace looks like that
 * between answers: replaying at ~640 requests/s against a server answering after 100 ms, the reducer was
 * a third of drtp's CPU (0.44 against 0.29 CPU-seconds per 10 s). drtp's heaps are small and live for
 * the whole run (the trace is off-heap): there is nothing to give back. The flag is process-wide and
 * applies to isolates created after it is set, so the master's own isolate keeps its reducer.
 */
setFlagsFromString('--no-memory-reducer');

/**
 * A Piscina pool for one of the worker entries in actors/. The filename is the `.js` name next to this
 * module: the compiled file in dist/, or (under tap's TypeScript loader) the `.ts` source.
 */
export function workerPool(entry: 'warmup' | 'client' | 'simulator' | 'analyzer', threads = availableParallelism()): Piscina {
  const n = Math.max(1, Math.floor(threads));
  return new Piscina({
    filename: new URL(`./${entry}.js`, import.meta.url).href,
    minThreads: n,
    maxThreads: n,
    // One long task per worker: tasks must not queue behind each other.
    concurrentTasksPerWorker: 1,
    // Piscina's own task-timing histograms: never read.
    recordTiming: false,
    idleTimeout: 1000,
  });
}
