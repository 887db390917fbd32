import { open, rename, rm, mkdir } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ioError } from './io-error.js';

/**
 * A file written next to its destination and renamed over it only when complete, so an interrupted
 * writer leaves either the old file or the whole new one, never a torn file.
 */
export class AtomicFile {
  private constructor(
    readonly path: string,
    readonly tempPath: string,
    private readonly handle: import('node:fs/promises').FileHandle,
  ) {}

  static async create(path: string): Promise<AtomicFile> {
    const tempPath = await tempPathFor(path);
    try {
      return new AtomicFile(path, tempPath, await open(tempPath, 'wx'));
    } catch (err) {
      throw ioError(err, 'write', path);
    }
  }

  /** Appends `data`; on failure (a full disk) the temp file is dropped and the destination untouched. */
  async write(data: Uint8Array | string): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    let at = 0;
    try {
      while (at < bytes.length) {
        const { bytesWritten } = await this.handle.write(bytes, at, bytes.length - at);
        at += bytesWritten;
      }
    } catch (err) {
      await this.abort();
      throw ioError(err, 'write', this.path);
    }
  }

  /** Flushes to disk and renames into place. */
  async commit(): Promise<void> {
    try {
      await this.handle.sync();
      await this.handle.close();
      await rename(this.tempPath, this.path);
    } catch (err) {
      await this.abort();
      throw ioError(err, 'write', this.path);
    }
  }

  /** Drops the temp file; the destination is untouched. */
  async abort(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await rm(this.tempPath, { force: true });
  }
}

/** A fresh temp name next to `path` (its directory created), for a file renamed over `path` when complete. */
async function tempPathFor(path: string): Promise<string> {
  const dir = dirname(path);
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw ioError(err, 'create the directory of', path);
  }
  return join(dir, `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Writes `chunks` to `path` atomically. */
export async function writeFileAtomic(path: string, ...chunks: (Uint8Array | string)[]): Promise<void> {
  const file = await AtomicFile.create(path);
  try {
    for (const chunk of chunks) await file.write(chunk);
  } catch (err) {
    await file.abort();
    throw err;
  }
  await file.commit();
}

/**
 * Streams `source` (optionally gzip-compressed) into `path` atomically: the temp file is renamed over
 * `path` only once the whole stream is written and synced.
 */
export async function writeStreamAtomic(path: string, source: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>, gzip = false): Promise<void> {
  const { pipeline } = await import('node:stream/promises');
  const { createWriteStream } = await import('node:fs');
  const { createGzip } = await import('node:zlib');
  const { Readable } = await import('node:stream');
  const tempPath = await tempPathFor(path);
  try {
    const input = Readable.from(source, { objectMode: false });
    const output = createWriteStream(tempPath, { flags: 'wx' });
    if (gzip) await pipeline(input, createGzip({ level: 6 }), output);
    else await pipeline(input, output);
    const handle = await open(tempPath, 'r+');
    await handle.sync();
    await handle.close();
    await rename(tempPath, path);
  } catch (err) {
    await rm(tempPath, { force: true });
    throw ioError(err, 'write', path);
  }
}
