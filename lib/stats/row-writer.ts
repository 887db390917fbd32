import { writeSync } from 'node:fs';

const POW10 = Array.from({ length: 17 }, (_, i) => 10 ** i);
const INT32_MAX = 2 ** 31 - 1;
/** "00" to "99" as ASCII byte pairs. */
const PAIRS = Uint8Array.from({ length: 200 }, (_, i) => 0x30 + (i & 1 ? (i >> 1) % 10 : Math.floor((i >> 1) / 10)));

/**
 * Bytes a row repeats (keys, names), kept as little-endian 32-bit words so that a writer copies them a
 * word per store: most of a row is such pieces, and a byte loop over them was a third of its cost.
 */
export interface RowPiece {
  readonly length: number;
  /** The bytes, zero-padded to a multiple of 4. */
  readonly words: Uint32Array;
}

/** A piece of `text` (latin1: keys and other constants) or of bytes already encoded (names as UTF-8 JSON). */
export function rowPiece(text: string | Uint8Array): RowPiece {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  const padded = new Uint8Array(Math.ceil(bytes.length / 4) * 4);
  padded.set(bytes);
  const view = new DataView(padded.buffer);
  const words = new Uint32Array(padded.length / 4);
  for (let k = 0; k < words.length; k++) words[k] = view.getUint32(4 * k, true);
  return { length: bytes.length, words };
}

/** A piece's last word may carry up to 3 bytes of padding past the piece: room kept for them. */
const SLACK = 4;

/**
 * Formats NDJSON rows straight into a reusable byte buffer and writes it to a file descriptor when
 * full: a run writes one row per request, and building a string per row was a large part of its CPU
 * and garbage. Numbers are formatted by hand (integers, and fixed-point with three decimals).
 */
export class RowWriter {
  private buf: Buffer;
  private view: DataView;
  private at = 0;
  /** The last epoch second `epochMicros` wrote, as a piece `"<seconds>."` (it changes once a second). */
  private second = -1;
  private secondPiece: RowPiece = rowPiece('');
  /** Why a write failed (a full disk): from then on rows are formatted and dropped. */
  failure: unknown = undefined;

  /** `onFailure` is called once, at the first write that fails. */
  constructor(
    private readonly fd: number,
    capacity = 1 << 20,
    private readonly onFailure?: (err: unknown) => void,
  ) {
    this.buf = Buffer.allocUnsafe(capacity);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** Room for at least `n` more bytes (flushing first if needed). */
  reserve(n: number): void {
    n += SLACK;
    if (this.at + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) {
      this.buf = Buffer.allocUnsafe(n);
      this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    }
  }

  /** A piece, a word per store; the padding it writes past its end is overwritten by what follows. */
  piece(p: RowPiece): void {
    const words = p.words;
    const view = this.view;
    const at = this.at;
    for (let k = 0; k < words.length; k++) view.setUint32(at + 4 * k, words[k], true);
    this.at = at + p.length;
  }

  /** Microseconds since the epoch as seconds with six decimals (the original player's `time`). */
  epochMicros(us: number): void {
    if (!Number.isFinite(us) || us < 0) return this.fixed(us / 1e6, 6);
    us = Math.round(us);
    const second = Math.floor(us / 1e6);
    if (second !== this.second) {
      this.second = second;
      this.secondPiece = rowPiece(`${second}.`);
    }
    this.piece(this.secondPiece);
    this.exact(us - second * 1e6, 6);
  }

  bytes(b: Uint8Array): void {
    const n = b.length;
    // Rows are made of short pieces: a loop beats the native copy's call below ~64 bytes.
    const buf = this.buf;
    const at = this.at;
    if (n > 64) buf.set(b, at);
    else for (let k = 0; k < n; k++) buf[at + k] = b[k];
    this.at = at + n;
  }

  /** ASCII text (callers pass constants and pre-encoded names, never user text). */
  ascii(s: string): void {
    this.at += this.buf.write(s, this.at, 'latin1');
  }

  /** An integer (rounded as Math.round does). */
  int(n: number): void {
    if (!Number.isFinite(n)) return this.ascii('null');
    n = Math.round(n);
    if (n < 0) {
      this.buf[this.at++] = 0x2d;
      n = -n;
    }
    if (n <= INT32_MAX) this.small(n, 0);
    else this.large(n);
  }

  /** A number with exactly `digits` decimals (0 to 6). */
  fixed(x: number, digits = 3): void {
    if (!Number.isFinite(x)) return this.ascii('null');
    const scale = POW10[digits];
    let scaled = Math.round(x * scale);
    if (scaled < 0) {
      this.buf[this.at++] = 0x2d;
      scaled = -scaled;
    }
    const whole = Math.floor(scaled / scale);
    if (whole <= INT32_MAX) this.small(whole, 0);
    else this.large(whole);
    if (digits === 0) return;
    this.buf[this.at++] = 0x2e;
    this.exact(scaled - whole * scale, digits);
  }

  /** A non-negative integer below 10^digits as exactly `digits` digits (decimals): no length to find. */
  private exact(n: number, digits: number): void {
    const buf = this.buf;
    let p = this.at + digits;
    this.at = p;
    for (let left = digits; left >= 2; left -= 2) {
      const q = (n / 100) | 0;
      const pair = (n - q * 100) << 1;
      buf[--p] = PAIRS[pair + 1];
      buf[--p] = PAIRS[pair];
      n = q;
    }
    if (digits & 1) buf[--p] = 0x30 + n;
  }

  /** A non-negative integer below 2^31, zero-padded to at least `width` digits; two digits a step. */
  private small(n: number, width: number): void {
    let digits = 1;
    while (digits < 10 && n >= POW10[digits]) digits++;
    if (digits < width) digits = width;
    const buf = this.buf;
    let p = this.at + digits;
    this.at = p;
    while (n >= 100) {
      const q = (n / 100) | 0;
      const pair = (n - q * 100) << 1;
      buf[--p] = PAIRS[pair + 1];
      buf[--p] = PAIRS[pair];
      n = q;
    }
    if (n >= 10) {
      buf[--p] = PAIRS[(n << 1) + 1];
      buf[--p] = PAIRS[n << 1];
    } else buf[--p] = 0x30 + n;
    while (p > this.at - digits) buf[--p] = 0x30;
  }

  /** A non-negative integer of 2^31 or more (rare: sizes of many GB, wrong clocks). */
  private large(n: number): void {
    if (n >= 1e15) return this.ascii(String(n));
    const high = Math.floor(n / 1e9);
    this.small(high, 0);
    this.small(n - high * 1e9, 9);
  }

  flush(): void {
    let off = 0;
    try {
      if (this.failure === undefined) while (off < this.at) off += writeSync(this.fd, this.buf, off, this.at - off);
    } catch (err) {
      this.failure = err;
      this.onFailure?.(err);
    }
    this.at = 0;
  }
}
