/**
 * HdrHistogram's V2 compressed encoding (the base64 text `hdr.encodeIntoCompressedBase64` gives, and any
 * HdrHistogram implementation reads), written straight from a Recorder's sparse counts.
 *
 * Why not the library: to encode, it needs a histogram of its own, filled by recording every slot, then
 * walks all its counts up to the top one; a summary encodes each distinct histogram once, in code that
 * runs once per run, and V8 compiled the library's recording and walking code for that one pass. Here
 * one pass over the non-zero counts writes the bytes (with the percentiles' own loops, histogram.ts, a
 * 10,000-request replay's summary went from 44 to 25 ms of CPU). The library stays the reference: the
 * tests compare the two byte for byte.
 *
 * The format (big-endian): cookie 0x1c849314, the deflated length, then zlib's deflate of: cookie
 * 0x1c849313, payload length, normalizing offset (the library writes 1), significant digits, lowest
 * discernible value (64 bits), highest trackable value (64 bits), conversion ratio (64 bits, 1), and the
 * payload: counts from slot 0 to the top recorded one as ZigZag LEB128 numbers, a run of more than one
 * zero count written as minus its length.
 */
import { deflateSync } from 'node:zlib';

/** The header fields of the histograms a Recorder's slots describe (`newHistogram()` in histogram.ts). */
export interface HistogramShape {
  significantDigits: number;
  lowestDiscernibleValue: number;
  highestTrackableValue: number;
}

const COMPRESSED_COOKIE = 0x1c849314;
const UNCOMPRESSED_COOKIE = 0x1c849313;
const HEADER_BYTES = 40;
/** A ZigZag LEB128 number takes at most 9 bytes; a pair writes a zero run and a count. */
const MAX_PAIR_BYTES = 18;

/**
 * The encoding of sparse counts (slots only, increasing, counts positive; see Recorder). Counts are
 * integers below 2^53, as a Recorder's are.
 */
export function encodeSparseCounts(pairs: Float64Array, shape: HistogramShape): string {
  const raw = Buffer.allocUnsafe(HEADER_BYTES + (pairs.length / 2) * MAX_PAIR_BYTES);
  raw.writeUInt32BE(UNCOMPRESSED_COOKIE, 0);
  raw.writeUInt32BE(1, 8);
  raw.writeUInt32BE(shape.significantDigits, 12);
  writeUint64(raw, shape.lowestDiscernibleValue, 16);
  writeUint64(raw, shape.highestTrackableValue, 24);
  writeUint64(raw, 1, 32);
  let at = HEADER_BYTES;
  let next = 0;
  for (let k = 0; k + 1 < pairs.length; k += 2) {
    const zeros = pairs[k] - next;
    // A single zero count is written as the count it is; longer runs as minus their length.
    if (zeros === 1) at = writeZigZag(raw, 0, at);
    else if (zeros > 1) at = writeZigZag(raw, -zeros, at);
    at = writeZigZag(raw, pairs[k + 1], at);
    next = pairs[k] + 1;
  }
  raw.writeUInt32BE(at - HEADER_BYTES, 4);
  const deflated = deflateSync(raw.subarray(0, at));
  // The library's output buffer starts at 16 bytes and never shrinks (a deflate is never that short).
  const out = Buffer.alloc(Math.max(16, 8 + deflated.length));
  out.writeUInt32BE(COMPRESSED_COOKIE, 0);
  out.writeUInt32BE(deflated.length, 4);
  deflated.copy(out, 8);
  return out.toString('base64');
}

function writeUint64(buffer: Buffer, value: number, at: number): void {
  buffer.writeUInt32BE(Math.floor(value / 2 ** 32), at);
  buffer.writeUInt32BE(value % 2 ** 32, at + 4);
}

/** Writes `value` as a ZigZag LEB128 number at `at`; returns the position after it. */
function writeZigZag(buffer: Buffer, value: number, at: number): number {
  // Arithmetic, not bit operators: the numbers pass 2^32.
  let v = value >= 0 ? value * 2 : -value * 2 - 1;
  while (v >= 128) {
    buffer[at++] = (v % 128) + 128;
    v = Math.floor(v / 128);
  }
  buffer[at++] = v;
  return at;
}
