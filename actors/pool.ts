import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';

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
    idleTimeout: 1000,
  });
}
