import { writeSync } from 'node:fs';

const POW10 = Array.from({ length: 17 }, (_, i) => 10 ** i);

/**
 * Formats NDJSON rows straight into a reusable byte buffer and writes it to a file descriptor when
 * full: a run writes one row per request, and building a string per row was a large part of its CPU
 * and garbage. Numbers are formatted by hand (integers, and fixed-point with three decimals).
 */
export class RowWriter {
  private buf: Buffer;
  private at = 0;

  constructor(
    private readonly fd: number,
    capacity = 1 << 20,
  ) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  /** Room for at least `n` more bytes (flushing first if needed). */
  reserve(n: number): void {
    if (this.at + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
  }

  bytes(b: Uint8Array): void {
    const n = b.length;
    // Rows are made of short pieces: a loop beats the native copy's call below ~64 bytes.
    if (n > 64) this.buf.set(b, this.at);
    else for (let k = 0, at = this.at; k < n; k++) this.buf[at + k] = b[k];
    this.at += n;
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
    if (n >= 1e15) return this.ascii(String(n));
    let digits = 1;
    while (digits < 16 && n >= POW10[digits]) digits++;
    let p = this.at + digits;
    this.at = p;
    do {
      const q = Math.floor(n / 10);
      this.buf[--p] = 0x30 + (n - q * 10);
      n = q;
    } while (n > 0);
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
    this.int(whole);
    if (digits === 0) return;
    this.buf[this.at++] = 0x2e;
    let frac = scaled - whole * scale;
    for (let p = this.at + digits - 1; p >= this.at; p--) {
      const q = Math.floor(frac / 10);
      this.buf[p] = 0x30 + (frac - q * 10);
      frac = q;
    }
    this.at += digits;
  }

  flush(): void {
    let off = 0;
    while (off < this.at) off += writeSync(this.fd, this.buf, off, this.at - off);
    this.at = 0;
  }
}
