import { rmSync } from 'node:fs';
import { open, rename, rm, mkdir } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ioError } from './io-error.js';
import type { FileHandle } from 'node:fs/promises';

/** Temp files of writes under way: what a process that must quit at once removes first. */
const pending = new Set<string>();

/** `path` (a lock, say) is removed too by a process that must quit at once, until `keepOnQuit`. */
export function removeOnQuit(path: string): void {
  pending.add(path);
}

export function keepOnQuit(path: string): void {
  pending.delete(path);
}

/** Removes the temp files of every write still under way (synchronously: for a process about to exit). */
export function removePendingTempFiles(): void {
  for (const path of pending) rmSync(path, { force: true });
  pending.clear();
}

/**
 * A file written next to its destination and renamed over it only when complete, so an interrupted
 * writer leaves either the old file or the whole new one, never a torn file.
 */
export class AtomicFile {
  private constructor(
    readonly path: string,
    readonly tempPath: string,
    private readonly handle: FileHandle,
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
    await AtomicFile.commitAll([this]);
  }

  /**
   * Flushes every file to disk, then renames them all into place one after the other: files that
   * belong together (results and their summary) are replaced together or not at all, as far as a file
   * system allows. A failure drops every temp file not yet renamed.
   */
  static async commitAll(files: AtomicFile[]): Promise<void> {
    let current: AtomicFile | undefined;
    try {
      for (current of files) {
        await current.handle.sync();
        await current.handle.close();
      }
      for (current of files) {
        await rename(current.tempPath, current.path);
        pending.delete(current.tempPath);
      }
    } catch (err) {
      await Promise.all(files.map((f) => f.abort()));
      throw ioError(err, 'write', (current as AtomicFile).path);
    }
  }

  /** Drops the temp file; the destination is untouched. */
  async abort(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await rm(this.tempPath, { force: true });
    pending.delete(this.tempPath);
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
  const temp = join(dir, `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  pending.add(temp);
  return temp;
}

/** Writes `chunks` to `path` atomically. */
export async function writeFileAtomic(path: string, ...chunks: (Uint8Array | string)[]): Promise<void> {
  const file = await AtomicFile.create(path);
  for (const chunk of chunks) await file.write(chunk);
  await file.commit();
}

/**
 * Streams `source` (optionally gzip-compressed) into `path` atomically: the temp file is renamed over
 * `path` only once the whole stream is written and synced.
 */
export async function writeStreamAtomic(
  path: string,
  source: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
  gzip = false,
): Promise<void> {
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
  } finally {
    pending.delete(tempPath);
  }
}
