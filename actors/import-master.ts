import { availableParallelism } from 'node:os';
import { stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { appendTable, TraceTableBuilder } from '../lib/trace/builder.js';
import { isArchive, traceInputs } from '../lib/trace/inputs.js';
import { loadTrace, type LoadedTrace, type LoadOptions, type TraceReadStats } from '../lib/trace/load.js';
import { openSharedTable } from '../lib/trace/shared-table.js';
import { mergeOrder } from '../lib/trace/sort.js';
import type { ImportedFile, ImportTask } from './messages.js';
import { ActorPool } from './runtime.js';

export interface ParallelLoadOptions extends LoadOptions {
  /** Worker threads reading files (default: the cores, at most one per file). */
  workers?: number;
  /** Told, at the end, how long the master spent merging the files' tables (ms): the part that does not scale. */
  onMasterMs?: (ms: number) => void;
}

/**
 * Reads trace files on worker threads, one file per task, into one table: each worker parses its file
 * into a table of its own (its own string pools) and hands it back in shared memory; the master appends
 * the tables in the order given, mapping each worker's pools once (a string per distinct id, not per
 * record), and orders the rows by a k-way merge of the files' sorted runs. The table equals what
 * `loadTrace` reads: ties keep file order, then record order. One file, or archives (read as one stream
 * each), go through `loadTrace` itself.
 */
export async function loadTraceParallel(paths: readonly string[], options: ParallelLoadOptions = {}): Promise<LoadedTrace> {
  const files = paths.length === 0 ? [] : await traceInputs(paths);
  const workers = Math.min(options.workers ?? availableParallelism(), files.length);
  if (workers <= 1 || files.some(isArchive)) return loadTrace(files.length === 0 ? paths : files, options);
  const sizes = await Promise.all(files.map((f) => stat(f).then((s) => s.size, () => 0)));
  const totalBytes = sizes.reduce((a, b) => a + b, 0);
  const pool = new ActorPool('importer', workers);
  const stats: TraceReadStats = { files: [...files], records: 0, malformed: 0, malformedExamples: [], perFile: [] };
  const builder = new TraceTableBuilder();
  const runStarts: number[] = [];
  let masterMs = 0;
  let doneBytes = 0;
  try {
    const tasks = files.map((file) => pool.run<ImportTask, ImportedFile>({ file, strict: options.strict ?? false }).result);
    // The first failure is the one reported; the others must not go unhandled.
    for (const task of tasks) task.catch(() => undefined);
    // Appended in the order given while later files are still being read.
    for (const [k, task] of tasks.entries()) {
      const { table: shared, stats: read } = await task;
      const started = performance.now();
      runStarts.push(builder.length);
      appendTable(builder, openSharedTable(shared));
      stats.malformed += read.malformed;
      for (const example of read.malformedExamples) if (stats.malformedExamples.length < (options.maxExamples ?? 10)) stats.malformedExamples.push(example);
      stats.perFile.push(...read.perFile);
      masterMs += performance.now() - started;
      doneBytes += sizes[k];
      options.onProgress?.(doneBytes, totalBytes);
      options.onFile?.(k + 1, files.length);
    }
  } finally {
    await pool.destroy();
  }
  const started = performance.now();
  stats.records = builder.length;
  const table = builder.build();
  builder.release();
  const order = mergeOrder(table.columns.time, runStarts);
  if (order !== null) table.reorder(order);
  masterMs += performance.now() - started;
  options.onMasterMs?.(masterMs);
  return { table, stats };
}
