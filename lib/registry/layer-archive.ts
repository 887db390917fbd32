import { createCipheriv, createHash, type Hash } from 'node:crypto';
import { crc32, deflateRawSync } from 'node:zlib';
import type { BlobContent } from './content.js';

/** The largest stored deflate block. */
const STORED_MAX = 65535;
const BLOCK = 512;
/** A tar ends with two zero blocks. */
const TAR_END = 2 * BLOCK;
const GZIP_HEADER = 10;
const GZIP_TRAILER = 8;
/** Bytes a stored block adds: its header byte, LEN and NLEN. */
const STORED_OVERHEAD = 5;
const ZEROS = Buffer.alloc(STORED_MAX);
/** The content of the file in a layer too small for stored blocks: the URI's hash. */
const SMALL_FILE_BYTES = 32;
/** The empty tar (end-of-archive blocks only), deflated by zlib at level 9: 11 bytes. */
const EMPTY_TAR_DEFLATED = deflateRawSync(Buffer.alloc(TAR_END), { level: 9 });
const EMPTY_TAR_DIFF_ID = `sha256:${createHash('sha256').update(Buffer.alloc(TAR_END)).digest('hex')}`;

/**
 * The smallest layer there is: a gzip-compressed tar with no member, 29 bytes (the gzip header, the
 * empty tar deflated, the trailer). Docker's own empty layer (`a3ed95ca...`) is the same archive in 32.
 * Below this no valid layer exists, and `layerArchive` returns null.
 */
export const SMALLEST_ARCHIVE_BYTES = GZIP_HEADER + EMPTY_TAR_DEFLATED.length + GZIP_TRAILER;

/** A layer blob that is a valid gzip-compressed tar, and the sha256 of the tar inside (its diff_id). */
export interface LayerArchive extends BlobContent {
  /** `sha256:<hex>` of the uncompressed tar, computed by streaming it once. */
  diffId(): string;
}

/**
 * A gzip-compressed tar of exactly `size` bytes, for a trace URI: one regular file, `layer/<hash>`, of
 * AES-CTR content keyed by the URI (the same bytes on every run, different for every URI). The tar is
 * carried in stored (uncompressed) deflate blocks, so its compressed size is known before a byte is made,
 * and the bytes that a whole number of tar blocks cannot make up go to the gzip header's extra field.
 * Streamed in 64 KiB blocks: a 1 GiB layer never sits in memory. Layers too small for stored blocks
 * (under 1559 bytes) hold a 32-byte file compressed with deflate; those too small even for that (under
 * about 130 bytes) are the empty tar, told apart per URI by the gzip header; below
 * `SMALLEST_ARCHIVE_BYTES` there is no valid archive at all, and this returns null.
 */
export function layerArchive(uri: string, size: number): LayerArchive | null {
  const seed = createHash('sha256').update(uri).digest();
  const name = layerName(seed);
  const smallest = storedSize(0);
  if (size < smallest) return smallArchive(name, seed, size) ?? emptyArchive(seed, size);
  // The most whole data blocks whose archive fits; what is left (under a block and a stored header) goes
  // to the gzip header.
  let blocks = Math.floor((size - smallest) / (BLOCK + STORED_OVERHEAD / 128));
  while (blocks > 0 && storedSize(blocks * BLOCK) > size) blocks--;
  while (storedSize((blocks + 1) * BLOCK) <= size) blocks++;
  const fileBytes = blocks * BLOCK;
  return streamedArchive(name, seed, fileBytes, size - storedSize(fileBytes), size);
}

function layerName(seed: Buffer): string {
  return `layer/${seed.subarray(0, 8).toString('hex')}`;
}

/** The compressed size of a tar holding a file of `fileBytes` (a multiple of 512), in stored blocks, with no comment. */
function storedSize(fileBytes: number): number {
  const tar = BLOCK + fileBytes + TAR_END;
  return GZIP_HEADER + tar + STORED_OVERHEAD * Math.ceil(tar / STORED_MAX) + GZIP_TRAILER;
}

function streamedArchive(
  name: string,
  seed: Buffer,
  fileBytes: number,
  headerExtra: number,
  size: number,
): LayerArchive {
  const tarBytes = BLOCK + fileBytes + TAR_END;
  let diffId: string | undefined;
  function* chunks(): Generator<Uint8Array> {
    const hash = createHash('sha256');
    let crc = 0;
    yield gzipHeader(headerExtra);
    // The tar, cut into stored blocks of at most 64 KiB as it is made.
    const block = Buffer.alloc(STORED_MAX);
    let filled = 0;
    let sent = 0;
    for (const part of tarOfLayer(name, seed, fileBytes)) {
      let at = 0;
      while (at < part.length) {
        const n = Math.min(STORED_MAX - filled, part.length - at);
        part.copy(block, filled, at, at + n);
        filled += n;
        at += n;
        if (filled === STORED_MAX || sent + filled === tarBytes) {
          const data = block.subarray(0, filled);
          hash.update(data);
          crc = crc32(data, crc);
          sent += filled;
          yield storedHeader(filled, sent === tarBytes);
          yield Buffer.from(data);
          filled = 0;
        }
      }
    }
    const trailer = Buffer.alloc(GZIP_TRAILER);
    trailer.writeUInt32LE(crc >>> 0, 0);
    trailer.writeUInt32LE(tarBytes % 2 ** 32, 4);
    yield trailer;
    diffId = `sha256:${hash.digest('hex')}`;
  }
  return {
    size,
    chunks,
    diffId: () => diffId ?? hashOfTar(tarOfLayer(name, seed, fileBytes)),
  };
}

/** A layer's tar in pieces: the header, the file's AES-CTR content keyed by `seed`, the end (`fileBytes` is whole blocks). */
function* tarOfLayer(name: string, seed: Buffer, fileBytes: number): Generator<Buffer> {
  const cipher = createCipheriv('aes-128-ctr', seed.subarray(0, 16), seed.subarray(16, 32));
  yield tarHeader(name, fileBytes);
  for (let at = 0; at < fileBytes; at += STORED_MAX)
    yield cipher.update(ZEROS.subarray(0, Math.min(STORED_MAX, fileBytes - at)));
  yield Buffer.alloc(TAR_END);
}

function hashOfTar(parts: Iterable<Buffer>): string {
  const hash: Hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return `sha256:${hash.digest('hex')}`;
}

/** A layer under 1559 bytes: a 32-byte file, deflated; null when even that does not fit. */
function smallArchive(name: string, seed: Buffer, size: number): LayerArchive | null {
  const tar = tarOf(name, seed.subarray(0, SMALL_FILE_BYTES));
  const deflated = deflateRawSync(tar, { level: 9 });
  const headerExtra = size - (GZIP_HEADER + deflated.length + GZIP_TRAILER);
  if (headerExtra < 0 || headerExtra > 0xffff) return null;
  const trailer = Buffer.alloc(GZIP_TRAILER);
  trailer.writeUInt32LE(crc32(tar) >>> 0, 0);
  trailer.writeUInt32LE(tar.length, 4);
  const body = Buffer.concat([gzipHeader(headerExtra), deflated, trailer]);
  const diffId = hashOfTar([tar]);
  return { size, chunks: () => [body], diffId: () => diffId };
}

/**
 * A layer with no file in it: the empty tar, deflated, its gzip header grown to the exact size. The
 * header's MTIME, and its comment or extra field when there is room, carry the URI's hash, so every URI
 * has a blob of its own, as every traced digest was.
 */
function emptyArchive(seed: Buffer, size: number): LayerArchive | null {
  const headerExtra = size - SMALLEST_ARCHIVE_BYTES;
  if (headerExtra < 0 || headerExtra > 0xffff) return null;
  const trailer = Buffer.alloc(GZIP_TRAILER);
  trailer.writeUInt32LE(crc32(Buffer.alloc(TAR_END)) >>> 0, 0);
  trailer.writeUInt32LE(TAR_END, 4);
  const body = Buffer.concat([gzipHeader(headerExtra, seed), EMPTY_TAR_DEFLATED, trailer]);
  return { size, chunks: () => [body], diffId: () => EMPTY_TAR_DIFF_ID };
}

function tarOf(name: string, content: Buffer): Buffer {
  const padded = Math.ceil(content.length / BLOCK) * BLOCK;
  return Buffer.concat([tarHeader(name, content.length), content, Buffer.alloc(padded - content.length + TAR_END)]);
}

/**
 * A gzip header (no OS) taking `extra` bytes more than the plain 10, to absorb what whole tar blocks
 * cannot: from 6 bytes an extra field of one `dr` subfield (its 2-byte length, the subfield's 4-byte
 * header, then data), below that a zero-terminated comment. Readers skip both; Go's, which containerd,
 * podman and umoci use, refuses a comment of 512 bytes or more, so the larger remainders go to the extra
 * field. With a `mark`, its bytes are the MTIME, the comment (as hex) and the extra data; without, those
 * are zeros and dashes.
 */
function gzipHeader(extra: number, mark?: Buffer): Buffer {
  const header = Buffer.alloc(GZIP_HEADER + extra);
  const flags = extra === 0 ? 0 : extra < 6 ? 0x10 : 0x04;
  header.set([0x1f, 0x8b, 8, flags, 0, 0, 0, 0, 0, 255]);
  if (mark !== undefined) mark.copy(header, 4, 0, 4);
  if (flags === 0x10) {
    // The comment, then its terminating zero.
    if (mark === undefined) header.fill(0x2d, GZIP_HEADER, GZIP_HEADER + extra - 1);
    else header.write(mark.toString('hex', 4), GZIP_HEADER, extra - 1, 'latin1');
  } else if (flags === 0x04) {
    header.writeUInt16LE(extra - 2, GZIP_HEADER);
    header.set([0x64, 0x72], GZIP_HEADER + 2); // subfield id "dr"
    header.writeUInt16LE(extra - 6, GZIP_HEADER + 4);
    if (mark !== undefined)
      for (let at = GZIP_HEADER + 6; at < header.length; at += mark.length - 4) mark.copy(header, at, 4);
  }
  return header;
}

function storedHeader(length: number, final: boolean): Buffer {
  const header = Buffer.alloc(STORED_OVERHEAD);
  header[0] = final ? 1 : 0;
  header.writeUInt16LE(length, 1);
  header.writeUInt16LE(~length & 0xffff, 3);
  return header;
}

/** A ustar header for a regular file: mode 0644, owner 0, time 0. Sizes over 8 GiB use the base-256 form. */
export function tarHeader(name: string, size: number): Buffer {
  const header = Buffer.alloc(BLOCK);
  header.write(name, 0, 100, 'utf8');
  header.write('0000644\0', 100, 'latin1');
  header.write('0000000\0', 108, 'latin1');
  header.write('0000000\0', 116, 'latin1');
  if (size < 8 ** 11) header.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  else {
    header[124] = 0x80;
    for (let k = 135, rest = size; k > 124; k--, rest = Math.floor(rest / 256)) header[k] = rest % 256;
  }
  header.write('00000000000\0', 136, 'latin1');
  header.write('        ', 148, 'latin1');
  header.write('0', 156, 'latin1');
  header.write('ustar\0', 257, 'latin1');
  header.write('00', 263, 'latin1');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return header;
}
