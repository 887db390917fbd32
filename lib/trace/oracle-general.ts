import { Decompress } from 'fzstd';
import { DrtpError } from '../errors.js';
import { writeStreamAtomic } from '../fsutil/atomic.js';
import { ioError } from '../fsutil/io-error.js';
import { TraceTableBuilder } from './builder.js';
import { Kind, Method } from './request.js';
import type { TraceTable } from './table.js';
import { openInput } from './input-stream.js';

/**
 * libCacheSim's `oracleGeneral` binary traces: packed little-endian records of 24 bytes, the request's
 * time (u32 seconds), the object's id (u64, a hash of its name), its size (u32 bytes), and the position of
 * the object's next request in the trace (i64, counted from 1; -1 when there is none). The format has no
 * method, repository or client: drtp writes a trace's layer GETs and reads such a file back as layer GETs
 * of one repository from one client.
 */
export const RECORD_BYTES = 24;
/** The repository and client an oracleGeneral trace's requests are given. */
export const ORACLE_REPOSITORY = 'oraclegeneral/trace';
const ORACLE_CLIENT = 'oraclegeneral';
const MAX_U32 = 2 ** 32 - 1;
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
const encoder = new TextEncoder();

/** What writing found: records written, and sizes over 4 GiB written as 4 GiB - 1 (the format's u32). */
export interface OracleWriteStats {
  records: number;
  clampedSizes: number;
}

/**
 * Writes the layer GETs of `table` (in its time order) as an oracleGeneral file, atomically. Each
 * record's next-access position is found by one pass from the end.
 */
export async function writeOracleGeneral(path: string, table: TraceTable): Promise<OracleWriteStats> {
  const { kind, method, object, size, time } = table.columns;
  const rows: number[] = [];
  for (let i = 0; i < table.length; i++) if (kind[i] === Kind.BLOB && method[i] === Method.GET) rows.push(i);
  const next = new Float64Array(rows.length);
  const seenAt = new Float64Array(table.pools.objects.size).fill(-1);
  for (let k = rows.length - 1; k >= 0; k--) {
    const layer = object[rows[k]];
    next[k] = seenAt[layer] < 0 ? -1 : seenAt[layer] + 1;
    seenAt[layer] = k;
  }
  const ids = objectIds(table);
  let clampedSizes = 0;
  function* records(): Generator<Uint8Array> {
    const perChunk = 1 << 16;
    for (let start = 0; start < rows.length; start += perChunk) {
      const count = Math.min(perChunk, rows.length - start);
      const chunk = Buffer.alloc(count * RECORD_BYTES);
      for (let k = 0; k < count; k++) {
        const row = rows[start + k];
        const at = k * RECORD_BYTES;
        chunk.writeUInt32LE(Math.min(MAX_U32, Math.max(0, Math.floor(time[row] / 1000))), at);
        chunk.writeUInt32LE(ids[2 * object[row]], at + 4);
        chunk.writeUInt32LE(ids[2 * object[row] + 1], at + 8);
        if (size[row] > MAX_U32) clampedSizes++;
        chunk.writeUInt32LE(Math.min(MAX_U32, Math.max(0, Math.round(size[row]))), at + 12);
        writeInt64(chunk, at + 16, next[start + k]);
      }
      yield chunk;
    }
  }
  await writeStreamAtomic(path, records());
  return { records: rows.length, clampedSizes };
}

/** A 64-bit id per object, as two u32 words (low, high): two independent FNV-1a hashes of its name's bytes. */
function objectIds(table: TraceTable): Uint32Array {
  const { bytes, offsets } = table.pools.objects;
  const ids = new Uint32Array(2 * table.pools.objects.size);
  for (let id = 0; id < table.pools.objects.size; id++) {
    let low = 0x811c9dc5;
    let high = 0x050c5d1f;
    for (let p = offsets[id]; p < offsets[id + 1]; p++) {
      low = Math.imul(low ^ bytes[p], 0x01000193);
      high = Math.imul(high ^ bytes[p], 0x01000193) ^ (high >>> 15);
    }
    ids[2 * id] = low >>> 0;
    ids[2 * id + 1] = high >>> 0;
  }
  return ids;
}

function writeInt64(buf: Buffer, at: number, value: number): void {
  if (value < 0) {
    buf.writeInt32LE(-1, at);
    buf.writeInt32LE(-1, at + 4);
    return;
  }
  buf.writeUInt32LE(value % 2 ** 32, at);
  buf.writeUInt32LE(Math.floor(value / 2 ** 32), at + 4);
}

/**
 * How far a .zst may expand before it is refused as a decompression bomb: oracleGeneral records (random
 * 64-bit ids, sizes, positions) compress a few times, never a thousandfold, as a file of zeros does.
 * Judged once this much has come out, so small files are never refused.
 */
const BOMB_RATIO = 1000;
const BOMB_AFTER_BYTES = 64 << 20;

/**
 * Reads an oracleGeneral trace (zstd-compressed when its first bytes say so, decompressed as it streams,
 * in blocks of at most 128 KiB) into a table of layer GETs: the object id, as 16 hex digits, names the
 * layer. Memory is the table's. A zstd frame that declares its size must declare whole records; one that
 * expands more than a thousandfold is refused as it goes (E_TRACE_PARSE).
 */
export async function readOracleGeneral(path: string, onBytes?: (diskBytes: number) => void): Promise<TraceTable> {
  const builder = new TraceTableBuilder();
  const repo = encoder.encode(`v2/${ORACLE_REPOSITORY}/blobs/`);
  const client = encoder.encode(ORACLE_CLIENT);
  // One URI buffer rewritten per record: the builder interns its bytes, so only new layers allocate.
  const uri = new Uint8Array(repo.length + 16);
  uri.set(repo);
  const carry = Buffer.alloc(RECORD_BYTES);
  let carried = 0;
  let offset = 0;
  let compressed = 0;
  const take = (chunk: Uint8Array): void => {
    if (zstd !== null && offset > BOMB_AFTER_BYTES && offset > BOMB_RATIO * compressed) {
      throw new DrtpError(
        'E_TRACE_PARSE',
        `${(compressed / 1e3).toFixed(0)} KB of zstd data have unpacked to ${(offset / 1e6).toFixed(0)} MB and go on: over ${BOMB_RATIO} times, which no oracleGeneral trace compresses to (a decompression bomb?)`,
        { file: path, offset },
      );
    }
    let p = 0;
    if (carried > 0) {
      const n = Math.min(RECORD_BYTES - carried, chunk.length);
      carry.set(chunk.subarray(0, n), carried);
      carried += n;
      p = n;
      if (carried < RECORD_BYTES) return;
      addRecord(carry, 0);
      carried = 0;
    }
    for (; p + RECORD_BYTES <= chunk.length; p += RECORD_BYTES) addRecord(chunk, p);
    carry.set(chunk.subarray(p), 0);
    carried = chunk.length - p;
  };
  const addRecord = (buf: Uint8Array, at: number): void => {
    const view = new DataView(buf.buffer, buf.byteOffset + at, RECORD_BYTES);
    writeHex(uri, repo.length, view.getUint32(8, true));
    writeHex(uri, repo.length + 8, view.getUint32(4, true));
    builder.add(
      view.getUint32(0, true) * 1000,
      Method.GET,
      uri,
      0,
      uri.length,
      client,
      0,
      client.length,
      view.getUint32(12, true),
      NaN,
      200,
    );
    offset += RECORD_BYTES;
  };
  let zstd: Decompress | null = null;
  let first = true;
  const decompress = (chunk: Uint8Array, final: boolean): void => {
    try {
      zstd?.push(chunk, final);
    } catch (err) {
      if (err instanceof DrtpError) throw err;
      throw new DrtpError(
        'E_TRACE_PARSE',
        `not valid zstd data after ${offset} decompressed bytes: ${(err as Error).message}`,
        { file: path, offset },
      );
    }
  };
  try {
    for await (const chunk of (await openInput(path, 'read trace file')) as AsyncIterable<Buffer>) {
      onBytes?.(chunk.length);
      compressed += chunk.length;
      if (first) {
        first = false;
        if (chunk.length >= 4 && ZSTD_MAGIC.every((b, k) => chunk[k] === b)) {
          const declared = zstdContentSize(chunk);
          if (declared !== undefined && declared % RECORD_BYTES !== 0) {
            throw new DrtpError(
              'E_TRACE_PARSE',
              `its zstd frame declares ${declared.toLocaleString('en-US')} bytes, not whole 24-byte oracleGeneral records`,
              { file: path, offset: 0 },
            );
          }
          zstd = new Decompress((data) => take(data));
        }
      }
      if (zstd === null) take(chunk);
      else decompress(chunk, false);
    }
    decompress(new Uint8Array(0), true);
  } catch (err) {
    throw err instanceof DrtpError ? err : ioError(err, 'read trace file', path);
  }
  if (carried > 0)
    throw new DrtpError(
      'E_TRACE_PARSE',
      `an oracleGeneral file is whole 24-byte records; ${carried} bytes are left over at the end`,
      { file: path, offset },
    );
  const table = builder.build();
  builder.release();
  return table;
}

/**
 * The content size a zstd frame header declares (RFC 8878, 3.1.1.1), when it declares one and the
 * header is in `head`.
 */
function zstdContentSize(head: Uint8Array): number | undefined {
  if (head.length < 5) return undefined;
  const descriptor = head[4];
  const fcsFlag = descriptor >> 6;
  const singleSegment = (descriptor >> 5) & 1;
  const dictBytes = [0, 1, 2, 4][descriptor & 3];
  const fcsBytes = [singleSegment === 1 ? 1 : 0, 2, 4, 8][fcsFlag];
  if (fcsBytes === 0) return undefined;
  const at = 5 + (singleSegment === 1 ? 0 : 1) + dictBytes;
  if (head.length < at + fcsBytes) return undefined;
  const view = new DataView(head.buffer, head.byteOffset + at, fcsBytes);
  switch (fcsBytes) {
    case 1:
      return view.getUint8(0);
    case 2:
      return view.getUint16(0, true) + 256;
    case 4:
      return view.getUint32(0, true);
    default:
      return view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  }
}

const HEX = encoder.encode('0123456789abcdef');

function writeHex(into: Uint8Array, at: number, word: number): void {
  for (let k = 7; k >= 0; k--) {
    into[at + k] = HEX[word & 0xf];
    word >>>= 4;
  }
}
