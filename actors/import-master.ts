import { availableParallelism } from 'node:os';
import { appendTable, TraceTableBuilder } from '../lib/trace/builder.js';
import { isArchive, traceInputs } from '../lib/trace/inputs.js';
import { loadTrace, type LoadedTrace, type LoadOptions, type TraceReadStats } from '../lib/trace/load.js';
import { openSharedTable } from '../lib/trace/shared-table.js';
import { isStreamInput } from '../lib/trace/input-stream.js';
import { mergeOrder } from '../lib/trace/sort.js';
import { addStats, planPieces, threadCpuMs, type Piece } from '../lib/trace/import-plan.js';
import type { ImportedFile } from './messages.js';
import { ActorPool } from './runtime.js';

/** Chunks of a large file are at least this large: a worker's start and warm-up must be repaid by its chunk. */
const MIN_CHUNK_BYTES = 128 << 20;

export interface ParallelLoadOptions extends LoadOptions {
  /** Worker threads reading files (default: the cores). */
  workers?: number;
  /** The smallest chunk a plain file is cut into (tests make it small). */
  minChunkBytes?: number;
  /** Told, at the end, the CPU time (ms) the master spent merging the workers' tables: the part that does not scale. */
  onMasterMs?: (ms: number) => void;
  /** Told, at the end, how many chunks were read again because a cut fell inside a record. */
  onRescans?: (chunks: number) => void;
}

type Settled = { ok: true; value: ImportedFile } | { ok: false; error: unknown };

/**
 * Reads a trace on worker threads, a file or a chunk of a large file per task, into one table: each
 * worker parses its piece into a table of its own (its own string pools) and hands it back in shared
 * memory; the master appends the tables in order, mapping each worker's pools once (a string per
 * distinct id, not per record), and orders the rows by a k-way merge of the pieces' sorted runs. The
 * table equals what `loadTrace` reads: ties keep file order, then record order. A chunk whose cut fell
 * inside a record (its reader started where the reader before it did not end) is read again from where
 * that reader ended. Archives go through `loadTrace` itself (a stream has no offsets to cut at).
 */
export async function loadTraceParallel(
  paths: readonly string[],
  options: ParallelLoadOptions = {},
): Promise<LoadedTrace> {
  const files = paths.length === 0 ? [] : await traceInputs(paths, options.exclude);
  const requested = Math.max(1, Math.floor(options.workers ?? availableParallelism()));
  // Archives and FIFOs are streams: read whole, in order, on this thread.
  const streamed = files.some(isArchive) || (await Promise.all(files.map(isStreamInput))).some(Boolean);
  if (requested <= 1 || files.length === 0 || streamed) return loadTrace(files.length === 0 ? paths : files, options);
  const pieces = await planPieces(files, requested, options.minChunkBytes ?? MIN_CHUNK_BYTES);
  const workers = Math.min(requested, pieces.length);
  if (workers <= 1) return loadTrace(files, options);

  const totalBytes = pieces.reduce((sum, piece) => sum + piece.bytes, 0);
  const pool = ActorPool.of('importer', workers);
  const stats: TraceReadStats = { files: [...files], records: 0, malformed: 0, malformedExamples: [], perFile: [] };
  const builder = new TraceTableBuilder();
  const runStarts: number[] = [];
  const strict = options.strict ?? false;
  const read = (piece: Piece, chunk = piece.chunk): Promise<Settled> =>
    pool
      .run({ file: piece.file, strict, chunk, ...(piece.group === undefined ? {} : { group: piece.group }) }, {})
      .result.then(
        (value) => ({ ok: true, value }),
        (error: unknown) => ({ ok: false, error }),
      );
  let masterMs = 0;
  let doneBytes = 0;
  let rescans = 0;
  try {
    const tasks = pieces.map((piece) => read(piece));
    // Where the last chunk read of the current file ended: the next chunk must start there.
    let expected = 0;
    for (const [k, piece] of pieces.entries()) {
      let settled: Settled | null;
      const chunk = piece.chunk;
      if (chunk === undefined) settled = await tasks[k];
      else {
        if (chunk.from === 0) expected = 0;
        if (expected >= chunk.stopAt)
          settled = null; // the record before took this chunk whole
        else if (expected === chunk.from) settled = await tasks[k];
        else {
          // Rare (a string holding `},{`): queued behind the other pieces, so it costs time, not order.
          rescans++;
          settled = await read(piece, { from: expected, stopAt: chunk.stopAt });
        }
        if (settled?.ok === true) expected = settled.value.next ?? Infinity;
      }
      if (settled !== null) {
        // Only a piece known to start at a record may fail the import: an error of a mis-cut chunk is not the file's.
        if (!settled.ok) throw settled.error;
        const started = threadCpuMs();
        runStarts.push(builder.length);
        appendTable(builder, openSharedTable(settled.value.table));
        addStats(stats, settled.value.stats, chunk !== undefined && chunk.from !== 0, options.maxExamples ?? 10);
        masterMs += threadCpuMs() - started;
      }
      doneBytes += piece.bytes;
      options.onProgress?.(doneBytes, totalBytes);
      if (chunk === undefined || chunk.stopAt === Infinity)
        options.onFile?.(Math.min(stats.perFile.length, files.length), files.length);
    }
  } finally {
    await pool.destroy();
  }
  const started = threadCpuMs();
  stats.records = builder.length;
  const table = builder.build();
  builder.release();
  const order = mergeOrder(table.columns.time, runStarts);
  if (order !== null) table.reorder(order);
  masterMs += threadCpuMs() - started;
  options.onMasterMs?.(masterMs);
  options.onRescans?.(rescans);
  return { table, stats };
}
