import { readFileSync } from 'node:fs';
import { fileSizes, isOracleGeneral } from './inputs.js';
import { performance } from 'node:perf_hooks';
import { isTableFile } from './binary.js';
import { planChunks } from './chunks.js';
import { GROUP_BYTES, GROUP_FILES } from './file-groups.js';
import type { TraceReadStats } from './load.js';
import { isGzip } from './reader.js';

/** A file, or a chunk of one, read by one task. */
export interface Piece {
  file: string;
  bytes: number;
  chunk?: { from: number; stopAt: number };
  /** Consecutive small files read as one task: a task's fixed cost would be most of a small file's. */
  group?: string[];
}

/**
 * The tasks for `files`: a plain file larger than a worker's share of the trace is cut into chunks of
 * about that share (at least `minChunk` each), so that few large files still keep every worker busy;
 * compressed files, tables and oracleGeneral traces are read whole.
 */
export async function planPieces(files: readonly string[], workers: number, minChunk: number): Promise<Piece[]> {
  const sizes = await fileSizes(files);
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
      pieces.push({
        file,
        bytes: Math.min(size, chunk.stopAt) - chunk.from,
        chunk: { from: chunk.from, stopAt: chunk.stopAt },
      });
    }
  }
  return pieces;
}

/** Adds what a piece's reading found; a file's later chunks add to its entry rather than making one. */
export function addStats(
  stats: TraceReadStats,
  read: TraceReadStats,
  continuesFile: boolean,
  maxExamples: number,
): void {
  stats.malformed += read.malformed;
  for (const example of read.malformedExamples)
    if (stats.malformedExamples.length < maxExamples) stats.malformedExamples.push(example);
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
export function threadCpuMs(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]) / 1e6;
  } catch {
    return performance.now();
  }
}
