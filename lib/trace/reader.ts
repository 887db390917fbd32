import { open } from 'node:fs/promises';
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { isStreamInput, openInput } from './input-stream.js';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DrtpError } from '../errors.js';
import { ioError } from '../fsutil/io-error.js';
import { RecordScanner, type RecordSink } from './scanner.js';

/** How many bytes the reader hands the scanner at a time. */
const WINDOW_BYTES = 4 << 20;
/** A single record larger than this is not a trace record: stop rather than buffer the whole file. */
const MAX_RECORD_BYTES = 256 << 20;
const GZIP_MAGIC = [0x1f, 0x8b];

export interface ScanFileOptions {
  /** Progress, in compressed (on-disk) bytes. */
  onBytes?: (diskBytes: number) => void;
  windowBytes?: number;
  /**
   * A chunk of a plain file: scan the records that start in [from, stopAt), `from` being where a record
   * starts. The record that crosses `stopAt` is read to its end.
   */
  range?: { from: number; stopAt: number };
}

/**
 * Streams one trace file (JSON array, NDJSON, either gzip-compressed) through a RecordScanner with
 * bounded memory: one window buffer, plus the unfinished record carried between reads. Returns the
 * offset the scan ended at: the file's (decompressed) end, or with a range, the first record that
 * starts at or past `stopAt`.
 */
export async function scanFile(file: string, sink: RecordSink, options: ScanFileOptions = {}): Promise<number> {
  const { onBytes, windowBytes = WINDOW_BYTES, range } = options;
  const scanner = new RecordScanner(sink, range?.stopAt);
  if (range === undefined && (await isStreamInput(file))) {
    const stream = await openInput(file, 'read trace file');
    if (onBytes) stream.on('data', (chunk: Buffer) => onBytes(chunk.length));
    return scanStream(file, stream, sink, windowBytes, (err) => ioError(err, 'read trace file', file));
  }
  const feeder = new WindowFeeder(scanner, file, windowBytes, range?.from);
  if (await isGzip(file)) {
    if (range !== undefined)
      throw new DrtpError('E_INTERNAL', `a compressed file is read whole, not in chunks: ${file}`);
    const disk = createReadStream(file, { highWaterMark: 1 << 20 });
    if (onBytes) disk.on('data', (chunk) => onBytes(chunk.length));
    await feed(feeder, file, disk, true, (err) => ioError(err, 'read trace file', file));
    return feeder.decompressedBytes();
  }
  // Plain files are read synchronously: parsing, not the disk, is the bottleneck, and awaiting each
  // read left the core idle between reads. Yield to the event loop between windows for progress.
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw ioError(err, 'read trace file', file);
  }
  try {
    let position = range?.from ?? 0;
    for (let reads = 0; scanner.stoppedAt < 0; reads++) {
      const target = feeder.freeSpace();
      let bytesRead: number;
      try {
        bytesRead = readSync(fd, target.buffer, target.offset, target.length, position);
      } catch (err) {
        throw ioError(err, 'read trace file', file);
      }
      if (bytesRead === 0) break;
      position += bytesRead;
      feeder.commit(bytesRead);
      // After the scan: a reader sizing its table by records per byte so far sees bytes and records alike.
      onBytes?.(bytesRead);
      if (reads % 16 === 15) await new Promise((resolve) => setImmediate(resolve));
    }
    feeder.finish();
    return scanner.stoppedAt >= 0 ? scanner.stoppedAt : position;
  } finally {
    closeSync(fd);
  }
}

/**
 * Streams one trace from a readable (an archive's member) through a RecordScanner, as `scanFile` does
 * a file: gzip-compressed content is recognized by its first bytes. `name` is what errors name. Returns
 * the (decompressed) bytes scanned.
 */
export async function scanStream(
  name: string,
  content: Readable,
  sink: RecordSink,
  windowBytes = WINDOW_BYTES,
  otherError: (err: unknown) => unknown = (err) => err,
): Promise<number> {
  const feeder = new WindowFeeder(new RecordScanner(sink), name, windowBytes);
  const chunks = content[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let first: IteratorResult<Buffer>;
  try {
    first = await chunks.next();
  } catch (err) {
    throw otherError(err);
  }
  if (first.done === true) {
    feeder.finish();
    return 0;
  }
  const head = first.value;
  const rest = async function* (): AsyncGenerator<Buffer> {
    yield head;
    for (let next = await chunks.next(); next.done !== true; next = await chunks.next()) yield next.value;
  };
  const gzip = head.length >= 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  await feed(feeder, name, Readable.from(rest()), gzip, otherError);
  return feeder.decompressedBytes();
}

/**
 * Feeds `source` (gzip-compressed when `gzip`) through the window to the scanner, to its end. A gzip
 * stream cut short is scanned as far as it goes (the cut record reported as truncated); bad gzip data is
 * E_TRACE_PARSE at its decompressed offset; any other error is thrown as `otherError` makes it.
 */
async function feed(
  feeder: WindowFeeder,
  name: string,
  source: Readable,
  gzip: boolean,
  otherError: (err: unknown) => unknown,
): Promise<void> {
  const chunks = gzip ? source.pipe(createGunzip()) : source;
  // pipe() does not pass a source's error on: without this, gunzip would wait for data forever.
  if (chunks !== source) source.on('error', (err) => chunks.destroy(err));
  try {
    for await (const chunk of chunks as AsyncIterable<Buffer>) feeder.push(chunk);
  } catch (err) {
    if (err instanceof DrtpError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code.startsWith('Z_') && code !== 'Z_BUF_ERROR') {
      throw new DrtpError(
        'E_TRACE_PARSE',
        `not valid gzip data after ${feeder.decompressedBytes()} decompressed bytes: ${(err as Error).message}`,
        { file: name, offset: feeder.decompressedBytes() },
      );
    }
    if (code !== 'Z_BUF_ERROR') throw otherError(err);
  }
  feeder.finish();
}

/** Keeps the scanner's window: data read so far that the scanner has not consumed yet. */
class WindowFeeder {
  private window: Buffer;
  private filled = 0;
  /** File offset of window[0]. */
  private base = 0;

  constructor(
    private readonly scanner: RecordScanner,
    private readonly file: string,
    windowBytes: number,
    startOffset = 0,
  ) {
    this.window = Buffer.allocUnsafe(windowBytes);
    this.base = startOffset;
  }

  freeSpace(): { buffer: Buffer; offset: number; length: number } {
    if (this.filled === this.window.length) this.growWindow();
    return { buffer: this.window, offset: this.filled, length: this.window.length - this.filled };
  }

  /** `n` bytes were written into the free space. */
  commit(n: number): void {
    this.filled += n;
    this.drain(false);
  }

  /**
   * Copies a stream's chunk in, scanning only when the window is full: scanning at every small chunk
   * would rescan a long unfinished record each time (quadratic in its size).
   */
  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      const free = this.freeSpace();
      const n = Math.min(free.length, chunk.length - at);
      chunk.copy(this.window, this.filled, at, at + n);
      at += n;
      this.filled += n;
      if (this.filled === this.window.length) this.drain(false);
    }
  }

  /** Bytes of the (decompressed) file taken in so far. */
  decompressedBytes(): number {
    return this.base + this.filled;
  }

  finish(): void {
    this.drain(true);
  }

  private drain(final: boolean): void {
    const consumed = this.scanner.scan(this.window, 0, this.filled, final, this.base);
    if (consumed > 0) {
      this.window.copyWithin(0, consumed, this.filled);
      this.filled -= consumed;
      this.base += consumed;
    }
  }

  private growWindow(): void {
    if (this.window.length >= MAX_RECORD_BYTES) {
      throw new DrtpError(
        'E_TRACE_PARSE',
        `a record is larger than ${MAX_RECORD_BYTES >> 20} MiB: is this a trace file?`,
        {
          file: this.file,
          offset: this.base,
        },
      );
    }
    const next = Buffer.allocUnsafe(this.window.length * 2);
    this.window.copy(next, 0, 0, this.filled);
    this.window = next;
  }
}

/** Whether the file starts as gzip data does. */
export async function isGzip(file: string): Promise<boolean> {
  const handle = await open(file, 'r').catch((err: unknown) => {
    throw ioError(err, 'read trace file', file);
  });
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0).catch((err: unknown) => {
      throw ioError(err, 'read trace file', file);
    });
    return bytesRead === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  } finally {
    await handle.close();
  }
}
