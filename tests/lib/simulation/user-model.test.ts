import t from 'tap';
import { copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../../../lib/paths.js';

const MODELS = join(import.meta.dirname, '../../fixtures/models');

/**
 * Loads the model `rounds` times on a worker thread, each round starting with the other workers' at a
 * shared barrier, as a sweep's points load the same model at once on the threads of one process.
 */
const LOADER = `
import { workerData, parentPort } from 'node:worker_threads';
const { runUserModel } = await import(workerData.module);
const { TraceTableBuilder } = await import(workerData.builder);
// Method 1 is GET (lib/trace/request.ts).
const b = new TraceTableBuilder();
b.addStrings(1e12, 1, 'v2/u/r/blobs/A', 'c1', 1000, 0.1, 200);
b.addStrings(1e12 + 2000, 1, 'v2/u/r/blobs/B', 'c2', 2000, 0.1, 200);
const table = b.build();
const barrier = new Int32Array(workerData.barrier);
const results = [];
for (let round = 0; round < workerData.rounds; round++) {
  if (Atomics.add(barrier, 0, 1) === workerData.workers * (round + 1) - 1) Atomics.notify(barrier, 0);
  while (Atomics.load(barrier, 0) < workerData.workers * (round + 1)) Atomics.wait(barrier, 0, Atomics.load(barrier, 0), 50);
  try {
    results.push(await runUserModel(workerData.model, table, { factor: workerData.factor }));
  } catch (err) {
    results.push({ error: err.message });
  }
}
parentPort.postMessage(results);
`;

t.test(
  'a TypeScript model loaded at once on several threads: each load has its own transpiled file, none is left',
  async (t) => {
    const dir = t.testdir();
    const model = join(dir, 'bytes.ts');
    copyFileSync(join(MODELS, 'bytes.ts'), model);
    const workers = 4;
    const rounds = 10;
    const barrier = new SharedArrayBuffer(4);
    const dist = (file: string): string => pathToFileURL(join(packageRoot(), 'dist', file)).href;
    const results = await Promise.all(
      Array.from({ length: workers }, (_, w) => {
        const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(LOADER)}`), {
          workerData: {
            module: dist('lib/simulation/user-model.js'),
            builder: dist('lib/trace/builder.js'),
            model,
            factor: w + 1,
            rounds,
            workers,
            barrier,
          },
        });
        return new Promise<unknown[]>((resolve, reject) => {
          worker.once('message', resolve);
          worker.once('error', reject);
        });
      }),
    );
    // The GET blobs of the table: 3,000 bytes, times each worker's factor.
    t.same(
      results,
      results.map((_, w) => Array.from({ length: rounds }, () => ({ layerBytes: 3000 * (w + 1) }))),
    );
    t.same(readdirSync(dir), ['bytes.ts'], 'no transpiled file left beside the model');
  },
);
