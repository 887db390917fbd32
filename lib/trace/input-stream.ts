import { constants, createReadStream, openSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { ioError } from '../fsutil/io-error.js';

/**
 * Whether a trace input is not a regular file: a FIFO (`mkfifo`, a shell's `<(zcat ...)`), a socket or a
 * device. Such an input has no size and no offsets: it is read once, from its start, as a stream.
 */
export async function isStreamInput(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  return info !== undefined && !info.isFile() && !info.isDirectory();
}

/**
 * The bytes of a trace input as a stream. A FIFO or socket is opened without blocking and read through
 * the event loop: opening a FIFO blocks until a writer comes, and a thread blocked in that open cannot
 * be interrupted, nor can the process exit while it waits. Anything else is a file stream.
 */
export async function openInput(path: string, what: string): Promise<Readable> {
  const info = await stat(path).catch((err: unknown) => {
    throw ioError(err, what, path);
  });
  if (!info.isFIFO() && !info.isSocket()) return createReadStream(path, { highWaterMark: 1 << 20 });
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw ioError(err, what, path);
  }
  return new Socket({ fd, readable: true, writable: false });
}
