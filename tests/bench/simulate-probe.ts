/**
 * One model of the simulate benchmark, on a worker thread of its own: a fresh isolate, so that the
 * layer cache's calls into its policy are compiled for that policy alone, as in a user's run of one
 * model, not for every policy the benchmark ran before it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { MODELS } from '../../lib/cache/index.js';
import { openSharedTable, type SharedTable } from '../../lib/trace/shared-table.js';
import { mapLru } from './simulate.js';

const { shared, name, args, capacity } = workerData as {
  shared: SharedTable;
  name: string;
  args: Record<string, unknown>;
  capacity: number;
};
const table = openSharedTable(shared);
const started = performance.now();
let hits = 0;
if (name === 'baseline') hits = mapLru(table, capacity);
else {
  const model = MODELS[name](table, args);
  for (let i = 0; i < table.length; i++) if (model.access(i)) hits++;
}
parentPort?.postMessage({ ms: performance.now() - started, hits });
