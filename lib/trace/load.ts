import type { Readable } from 'node:stream';
import { DrtpError, formatLocation } from '../errors.js';
import { isTableFile, readTable } from './binary.js';
import { TraceTableBuilder, appendTable } from './builder.js';
import type { FileChunk } from './chunks.js';
import { fileSizes, isArchive, isOracleGeneral, traceInputs } from './inputs.js';
import { scanFile, scanStream } from './reader.js';
import type { RecordSink, ScannedRecord } from './scanner.js';
import { timeOrder } from './sort.js';
import type { TraceTable } from './table.js';

const RESERVE_AFTER_BYTES = 16 << 20;

/** What reading a trace found, beside the table itself. */
export interface TraceReadStats {
  files: string[];
  /** Well-formed records, i.e. rows of the table. */
  records: number;
  /** Records skipped as malformed. */
  malformed: number;
  /** The first few malformed records, as `file:offset: reason`. */
  malformedExamples: string[];
  /** What each file gave, in the order read. */
  perFile: FileReadCounts[];
  /** Archives found inside archives, `outer.tar:inner.tar`: not read (drtp reads one level). */
  nestedArchives?: string[];
}

export interface FileReadCounts {
  file: string;
  records: number;
  malformed: number;
}

export interface LoadOptions {
  /** Stop at the first malformed record with E_TRACE_PARSE instead of skipping it. */
  strict?: boolean;
  /** How many malformed records to keep as examples. */
  maxExamples?: number;
  /** Called as bytes are read: on-disk bytes done and in all. */
  onProgress?: (doneBytes: number, totalBytes: number) => void;
  /** The reader's window size (tests use tiny ones to put records across window edges). */
  windowBytes?: number;
  /** Called as each input (file, directory entry or archive) is done: inputs done and in all. */
  onFile?: (done: number, total: number) => void;
  /** Files a directory holds that are not to be read: the command's own outputs. */
  exclude?: readonly string[];
}

export interface LoadedTrace {
  table: TraceTable;
  stats: TraceReadStats;
}

/**
 * Reads trace files (JSON array, NDJSON, gzip of either, .drtp tables, oracleGeneral), the trace files under
 * directories and inside tar archives, into one TraceTable in timestamp order. Ties keep file order,
 * then record order.
 */
export async function loadTrace(paths: readonly string[], options: LoadOptions = {}): Promise<LoadedTrace> {
  if (paths.length === 0) throw new DrtpError('E_USAGE', 'no trace files given');
  const files = await traceInputs(paths, options.exclude);
  const stats: TraceReadStats = { files: [...files], records: 0, malformed: 0, malformedExamples: [], perFile: [] };
  if (files.length === 1 && isTableFile(files[0])) return loadSingleTable(files[0], stats);

  const sizes = await fileSizes(files);
  const totalBytes = sizes.reduce((a, b) => a + b, 0);
  let doneBytes = 0;
  let reserved = false;
  const builder = new TraceTableBuilder(initialRows(totalBytes));
  for (const [k, file] of files.entries()) {
    if (isTableFile(file) || isOracleGeneral(file)) {
      // The readers of archives and oracleGeneral files (tar-stream, fzstd) load only for such files.
      const { table, meta } = isTableFile(file)
        ? await readTable(file)
        : { table: await (await import('./oracle-general.js')).readOracleGeneral(file), meta: {} };
      appendTable(builder, table);
      addTableStats(stats, file, table.length, meta);
      doneBytes += sizes[k];
      options.onProgress?.(doneBytes, totalBytes);
      options.onFile?.(k + 1, files.length);
      continue;
    }
    const onBytes = (n: number): void => {
      doneBytes += n;
      options.onProgress?.(doneBytes, totalBytes);
      // Once a few MB are read, size the table for the whole trace instead of doubling up to it.
      if (!reserved && doneBytes >= RESERVE_AFTER_BYTES && builder.length > 0) {
        reserved = true;
        builder.reserve((totalBytes / doneBytes) * builder.length * 1.05);
      }
    };
    if (isArchive(file)) {
      // Each member counts as a file of its own: `archive.tar.gz:dir/member.json`.
      const nested = (name: string): void => void (stats.nestedArchives ??= []).push(`${file}:${name}`);
      const { archiveMembers } = await import('./archive.js');
      for await (const member of archiveMembers(file, onBytes, nested)) {
        const name = `${file}:${member.name}`;
        await readInto(builder, name, stats, options, (sink) =>
          scanStream(name, member.content, sink, options.windowBytes),
        );
      }
    } else
      await readInto(builder, file, stats, options, (sink) =>
        scanFile(file, sink, { onBytes, windowBytes: options.windowBytes }),
      );
    options.onFile?.(k + 1, files.length);
  }
  return { table: sortedTable(builder, stats), stats };
}

/**
 * Rows to reserve for `bytes` of trace: no IBM record is under ~150 bytes, so a small file gets a small
 * table rather than the 64 Ki rows a large one starts with.
 */
function initialRows(bytes: number): number {
  return Math.max(256, Math.min(1 << 16, Math.ceil(bytes / 128)));
}

/** One trace read from a stream (an archive's member) into a table in time order. */
export async function loadTraceStream(
  name: string,
  content: Readable,
  options: LoadOptions = {},
): Promise<LoadedTrace> {
  const stats: TraceReadStats = { files: [name], records: 0, malformed: 0, malformedExamples: [], perFile: [] };
  const builder = new TraceTableBuilder();
  await readInto(builder, name, stats, options, (sink) => scanStream(name, content, sink, options.windowBytes));
  return { table: sortedTable(builder, stats), stats };
}

/**
 * The records of one chunk of a plain trace file (see `planChunks`) as a table in time order, and
 * `next`: the offset of the first record at or past the chunk's end, where the next chunk must start.
 */
export async function loadTraceChunk(
  chunk: FileChunk,
  options: LoadOptions = {},
): Promise<LoadedTrace & { next: number }> {
  const stats: TraceReadStats = { files: [chunk.file], records: 0, malformed: 0, malformedExamples: [], perFile: [] };
  const builder = new TraceTableBuilder();
  let next = 0;
  const range = { from: chunk.from, stopAt: chunk.stopAt };
  await readInto(builder, chunk.file, stats, options, async (sink) => {
    next = await scanFile(chunk.file, sink, { windowBytes: options.windowBytes, range });
  });
  return { table: sortedTable(builder, stats), stats, next };
}

/** Scans one source (a file, an archive's member) into the builder and records what it gave. */
async function readInto(
  builder: TraceTableBuilder,
  name: string,
  stats: TraceReadStats,
  options: LoadOptions,
  scan: (sink: RecordSink) => Promise<unknown>,
): Promise<void> {
  const [records, malformed] = [builder.length, stats.malformed];
  await scan(new BuilderSink(builder, name, stats, options));
  stats.perFile.push({ file: name, records: builder.length - records, malformed: stats.malformed - malformed });
}

/** The builder's rows as a table in time order (ties in the order read); counts them in `stats`. */
function sortedTable(builder: TraceTableBuilder, stats: TraceReadStats): TraceTable {
  stats.records = builder.length;
  const table = builder.build();
  builder.release();
  const order = timeOrder(table.columns.time);
  if (order !== null) table.reorder(order);
  return table;
}

async function loadSingleTable(file: string, stats: TraceReadStats): Promise<LoadedTrace> {
  const { table, meta } = await readTable(file);
  addTableStats(stats, file, table.length, meta);
  stats.records = table.length;
  // Tables are written in time order; check rather than trust, it costs one pass.
  const order = timeOrder(table.columns.time);
  if (order !== null) table.reorder(order);
  return { table, stats };
}

/** A table's rows, and the malformed records its import skipped (kept in its header). */
function addTableStats(stats: TraceReadStats, file: string, records: number, meta: Record<string, unknown>): void {
  const read = meta.read as Partial<TraceReadStats> | undefined;
  const malformed = read?.malformed ?? 0;
  stats.perFile.push({ file, records, malformed });
  stats.malformed += malformed;
  for (const example of read?.malformedExamples ?? [])
    if (stats.malformedExamples.length < 10) stats.malformedExamples.push(example);
}

class BuilderSink implements RecordSink {
  private readonly maxExamples: number;

  constructor(
    private readonly builder: TraceTableBuilder,
    private readonly file: string,
    private readonly stats: TraceReadStats,
    private readonly options: LoadOptions,
  ) {
    this.maxExamples = options.maxExamples ?? 10;
  }

  record(r: ScannedRecord): void {
    this.builder.add(
      r.time,
      r.method,
      r.uriBuf,
      r.uriStart,
      r.uriEnd,
      r.clientBuf,
      r.clientStart,
      r.clientEnd,
      r.size,
      r.duration,
      r.status,
      r.agentBuf,
      r.agentStart,
      r.agentEnd,
      r.agentEscaped,
    );
  }

  malformed(offset: number, reason: string): void {
    if (this.options.strict) throw new DrtpError('E_TRACE_PARSE', reason, { file: this.file, offset });
    this.stats.malformed++;
    if (this.stats.malformedExamples.length < this.maxExamples) {
      this.stats.malformedExamples.push(`${formatLocation({ file: this.file, offset })}: ${reason}`);
    }
  }
}
