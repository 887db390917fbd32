import { closeSync, openSync, readSync } from 'node:fs';
import { ioError } from '../fsutil/io-error.js';

/** A byte range of a plain trace file: the records that start in [from, stopAt). */
export interface FileChunk {
  file: string;
  from: number;
  stopAt: number;
}

/** How far past a cut point to look for a record start before giving the cut up. */
const LOOK_BYTES = 1 << 20;

/**
 * Cuts a plain (uncompressed) trace file of `size` bytes into about `parts` chunks, each starting where
 * a record seems to start: a `{` after `},` (a JSON array's records, as the IBM files and Python's
 * json.dump lay them out) or after `}` and a line break (NDJSON). A string value can hold such bytes, so
 * a cut is a guess: the reader of the chunk before it says where its last record really ended, and a
 * chunk that started elsewhere is read again from there (see `loadTraceParallel`).
 */
export function planChunks(file: string, size: number, parts: number): FileChunk[] {
  const starts = [0];
  if (parts > 1) {
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch (err) {
      throw ioError(err, 'read trace file', file);
    }
    try {
      const buf = Buffer.allocUnsafe(LOOK_BYTES);
      for (let k = 1; k < parts; k++) {
        const cut = Math.floor((size * k) / parts);
        if (cut <= starts[starts.length - 1]) continue;
        let n: number;
        try {
          n = readSync(fd, buf, 0, LOOK_BYTES, cut);
        } catch (err) {
          throw ioError(err, 'read trace file', file);
        }
        const at = recordStartIn(buf, n);
        if (at >= 0 && cut + at > starts[starts.length - 1]) starts.push(cut + at);
      }
    } finally {
      closeSync(fd);
    }
  }
  return starts.map((from, k) => ({ file, from, stopAt: k + 1 < starts.length ? starts[k + 1] : Infinity }));
}

/** The index in `buf[0, n)` of the first `{` that looks like a record's start; -1 if none. */
export function recordStartIn(buf: Uint8Array, n: number): number {
  for (let i = 1; i < n; i++) {
    if (buf[i] !== 0x7b) continue;
    let p = i - 1;
    let lineBreak = false;
    while (p >= 0 && isSpace(buf[p])) lineBreak ||= buf[p--] === 0x0a;
    if (p < 0) continue;
    if (buf[p] === 0x7d && lineBreak) return i;
    if (buf[p] !== 0x2c) continue;
    p--;
    while (p >= 0 && isSpace(buf[p])) p--;
    if (p >= 0 && buf[p] === 0x7d) return i;
  }
  return -1;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
