import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { isTableFile } from '../lib/trace/binary.js';
import { appendTable, TraceTableBuilder } from '../lib/trace/builder.js';
import { planChunks } from '../lib/trace/chunks.js';
import { isArchive, traceInputs } from '../lib/trace/inputs.js';
import { isOracleGeneral } from '../lib/trace/oracle-general.js';
import { loadTrace, type LoadedTrace, type LoadOptions, type TraceReadStats } from '../lib/trace/load.js';
import { isGzip } from '../lib/trace/reader.js';
import { openSharedTable } from '../lib/trace/shared-table.js';
import { isStreamInput } from '../lib/trace/input-stream.js';
import { mergeOrder } from '../lib/trace/sort.js';
import type { ImportedFile, ImportTask } from './messages.js';
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

/** A file, or a chunk of one, read by one task. */
interface Piece {
  file: string;
  bytes: number;
  chunk?: { from: number; stopAt: number };
  /** Consecutive small files read as one task: a task's fixed cost would be most of a small file's. */
  group?: string[];
}

/** Small files are grouped up to this many bytes, or files, a task. */
const GROUP_BYTES = 4 << 20;
const GROUP_FILES = 512;

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
export async function loadTraceParallel(paths: readonly string[], options: ParallelLoadOptions = {}): Promise<LoadedTrace> {
  const files = paths.length === 0 ? [] : await traceInputs(paths, options.exclude);
  const requested = Math.max(1, Math.floor(options.workers ?? availableParallelism()));
  // Archives and FIFOs are streams: read whole, in order, on this thread.
  const streamed = files.some(isArchive) || (await Promise.all(files.map(isStreamInput))).some(Boolean);
  if (requested <= 1 || files.length === 0 || streamed) return loadTrace(files.length === 0 ? paths : files, options);
  const pieces = await planPieces(files, requested, options.minChunkBytes ?? MIN_CHUNK_BYTES);
  const workers = Math.min(requested, pieces.length);
  if (workers <= 1) return loadTrace(files, options);

  const totalBytes = pieces.reduce((sum, piece) => sum + piece.bytes, 0);
  const pool = new ActorPool('importer', workers);
  const stats: TraceReadStats = { files: [...files], records: 0, malformed: 0, malformedExamples: [], perFile: [] };
  const builder = new TraceTableBuilder();
  const runStarts: number[] = [];
  const strict = options.strict ?? false;
  const read = (piece: Piece, chunk = piece.chunk): Promise<Settled> =>
    pool.run<ImportTask, ImportedFile>({ file: piece.file, strict, chunk, ...(piece.group === undefined ? {} : { group: piece.group }) }).result.then(
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
        if (expected >= chunk.stopAt) settled = null; // the record before took this chunk whole
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
      if (chunk === undefined || chunk.stopAt === Infinity) options.onFile?.(Math.min(stats.perFile.length, files.length), files.length);
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

/**
 * The tasks for `files`: a plain file larger than a worker's share of the trace is cut into chunks of
 * about that share (at least `minChunk` each), so that few large files still keep every worker busy;
 * compressed files, tables and oracleGeneral traces are read whole.
 */
async function planPieces(files: readonly string[], workers: number, minChunk: number): Promise<Piece[]> {
  const sizes = await Promise.all(files.map((f) => stat(f).then((s) => s.size, () => 0)));
  const total = sizes.reduce((a, b) => a + b, 0);
  const target = Math.max(minChunk, Math.ceil(total / workers));
  const pieces: Piece[] = [];
  // Whole files too small to keep a task's fixed cost small go to the open group, in file order; groups
  // stay small enough to give every worker several.
  const groupBytes = Math.min(GROUP_BYTES, Math.ceil(total / (workers * 4)));
  let group: Piece | undefined;
  const whole = (file: string, size: number): void => {
    if (size >= groupBytes) {
      group = undefined;
      pieces.push({ file, bytes: size });
      return;
    }
    if (group === undefined || group.bytes + size > groupBytes || (group.group as string[]).length >= GROUP_FILES) {
      group = { file, bytes: 0, group: [] };
      pieces.push(group);
    }
    (group.group as string[]).push(file);
    group.bytes += size;
  };
  for (const [k, file] of files.entries()) {
    const size = sizes[k];
    const parts = Math.round(size / target);
    if (parts < 2 || isTableFile(file) || isOracleGeneral(file) || (await isGzip(file))) {
      whole(file, size);
      continue;
    }
    group = undefined;
    for (const chunk of planChunks(file, size, parts)) {
      pieces.push({ file, bytes: Math.min(size, chunk.stopAt) - chunk.from, chunk: { from: chunk.from, stopAt: chunk.stopAt } });
    }
  }
  return pieces;
}

/** Adds what a piece's reading found; a file's later chunks add to its entry rather than making one. */
function addStats(stats: TraceReadStats, read: TraceReadStats, continuesFile: boolean, maxExamples: number): void {
  stats.malformed += read.malformed;
  for (const example of read.malformedExamples) if (stats.malformedExamples.length < maxExamples) stats.malformedExamples.push(example);
  const last = stats.perFile[stats.perFile.length - 1];
  for (const entry of read.perFile) {
    if (continuesFile && last !== undefined && last.file === entry.file) {
      last.records += entry.records;
      last.malformed += entry.malformed;
    } else stats.perFile.push({ ...entry });
  }
}

/**
 * CPU time of the calling thread, in ms (Linux's schedstat, in ns); elsewhere wall time, which on a busy
 * machine counts the time the thread waited for a core too.
 */
function threadCpuMs(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]) / 1e6;
  } catch {
    return performance.now();
  }
}
