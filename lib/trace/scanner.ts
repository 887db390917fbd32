import { Method, type MethodCode } from './request.js';
import { TimestampParser } from './timestamp.js';

/**
 * A byte-level scanner for the IBM trace files: a JSON array of flat records, or one record per line
 * (NDJSON), or both. It extracts only the fields drtp uses, straight from the read buffer, without a
 * JS object or string per record: that is what makes it faster than JSON.parse on the same bytes.
 * Malformed records are reported with their byte offset and skipped; the scan resynchronises at the next
 * record start (a `{` after a `,`, `[` or line break).
 */

/** Field ids the scanner extracts; every other key is skipped. */
const F_TIMESTAMP = 0;
const F_METHOD = 1;
const F_URI = 2;
const F_CLIENT = 3;
const F_WRITTEN = 4;
const F_DURATION = 5;
const F_STATUS = 6;
const F_AGENT = 7;
const FIELD_KEYS = [
  'timestamp',
  'http.request.method',
  'http.request.uri',
  'http.request.remoteaddr',
  'http.response.written',
  'http.request.duration',
  'http.response.status',
  'http.request.useragent',
];
const KEY_BYTES = FIELD_KEYS.map((k) => Buffer.from(k));
const REQUIRED = (1 << F_TIMESTAMP) | (1 << F_METHOD) | (1 << F_URI) | (1 << F_WRITTEN);
const METHOD_BYTES: readonly (readonly [Buffer, MethodCode])[] = [
  [Buffer.from('GET'), Method.GET],
  [Buffer.from('PUT'), Method.PUT],
  [Buffer.from('HEAD'), Method.HEAD],
  [Buffer.from('POST'), Method.POST],
  [Buffer.from('PATCH'), Method.PATCH],
  [Buffer.from('DELETE'), Method.DELETE],
];

const NEED_MORE = -1;
/** Strings up to this length are searched byte by byte, longer ones with a native memchr. */
const SHORT_STRING = 48;
const INVALID = -2;
const EMPTY = new Uint8Array(0);

/** One scanned record; the scanner reuses a single instance, so a sink must copy what it keeps. */
export class ScannedRecord {
  time = 0;
  method: MethodCode = Method.OTHER;
  uriBuf: Uint8Array = EMPTY;
  uriStart = 0;
  uriEnd = 0;
  clientBuf: Uint8Array = EMPTY;
  clientStart = 0;
  clientEnd = 0;
  agentBuf: Uint8Array = EMPTY;
  agentStart = 0;
  agentEnd = 0;
  /** The agent's bytes may be as the file wrote them, JSON escapes and all (decoded once per distinct agent). */
  agentEscaped = false;
  size = 0;
  duration = NaN;
  status = 0;
}

export interface RecordSink {
  record(rec: ScannedRecord): void;
  /** `offset` is the byte offset of the record (or the bad byte) in the decompressed file. */
  malformed(offset: number, reason: string): void;
}

export class RecordScanner {
  private readonly rec = new ScannedRecord();
  private readonly timestamps = new TimestampParser();
  /** The key order of the last record (bytes of each key, and its field id). */
  private readonly layoutKeys: Uint8Array[] = [];
  /** The same keys as little-endian 32-bit words (the tail bytes that do not fill a word are left out). */
  private readonly layoutWords: Int32Array[] = [];
  private readonly layoutFields: number[] = [];
  /** A view of the buffer being scanned, to compare keys a word at a time. */
  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  private resyncing = false;
  private separatorSeen = false;
  // Scratch results of the value helpers; fields rather than return objects, to allocate nothing.
  private num = 0;
  private escaped = false;
  /**
   * With a chunk of a file: the scan stops at the first record that starts at or past `stopAt` (a file
   * offset) and sets `stoppedAt` to that record's offset; the chunk after it must start there.
   */
  private readonly stopAt: number;
  stoppedAt = -1;

  constructor(
    private readonly sink: RecordSink,
    stopAt = Infinity,
  ) {
    this.stopAt = stopAt;
  }

  /**
   * Scans `buf[start, end)`, whose first byte is at `baseOffset` in the file. Returns how far input was
   * consumed: the caller must present `buf[returned, end)` again, followed by more data. With `final`,
   * everything is consumed and an unfinished record is reported as truncated.
   */
  scan(buf: Uint8Array, start: number, end: number, final: boolean, baseOffset: number): number {
    if (
      this.view.buffer !== buf.buffer ||
      this.view.byteOffset !== buf.byteOffset ||
      this.view.byteLength !== buf.byteLength
    ) {
      this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    let p = start;
    if (this.stoppedAt >= 0) return start;
    while (p < end) {
      const c = buf[p];
      if (this.resyncing) {
        if (c === 0x7b && this.separatorSeen) this.resyncing = false;
        else {
          if (c === 0x2c || c === 0x5b || c === 0x0a) this.separatorSeen = true;
          else if (!isSpace(c)) this.separatorSeen = false;
          p++;
          continue;
        }
      }
      if (isSpace(c) || c === 0x2c || c === 0x5b || c === 0x5d) {
        p++;
        continue;
      }
      if (baseOffset + p >= this.stopAt) {
        this.stoppedAt = baseOffset + p;
        return p;
      }
      const r = c === 0x7b ? this.object(buf, p, end, baseOffset) : this.nonObject(buf, p, end, baseOffset);
      if (r === NEED_MORE) {
        if (!final) return p;
        this.sink.malformed(baseOffset + p, 'truncated record at end of file');
        return end;
      }
      p = r;
    }
    return end;
  }

  private fail(offset: number, reason: string, resumeAt: number): number {
    this.sink.malformed(offset, reason);
    this.resyncing = true;
    this.separatorSeen = false;
    return resumeAt;
  }

  private nonObject(buf: Uint8Array, p: number, end: number, base: number): number {
    const r = this.skipValue(buf, p, end);
    if (r === NEED_MORE) return NEED_MORE;
    if (r === INVALID) return this.fail(base + p, `invalid JSON: unexpected ${describeByte(buf[p])}`, p + 1);
    this.sink.malformed(base + p, 'record is not an object');
    return r;
  }

  private object(buf: Uint8Array, start: number, end: number, base: number): number {
    const rec = this.rec;
    rec.clientBuf = EMPTY;
    rec.clientStart = rec.clientEnd = 0;
    rec.agentBuf = EMPTY;
    rec.agentStart = rec.agentEnd = 0;
    rec.agentEscaped = false;
    rec.duration = NaN;
    rec.status = 0;
    let seen = 0;
    let slot = 0;
    let problem: string | null = null;
    let p = start + 1;
    for (;;) {
      p = skipSpace(buf, p, end);
      if (p >= end) return NEED_MORE;
      if (buf[p] === 0x7d) {
        p++;
        break;
      }
      if (buf[p] !== 0x22) return this.fail(base + p, `invalid JSON: expected a key, found ${describeByte(buf[p])}`, p);
      let field: number;
      let keyEnd = this.predictedKeyEnd(buf, p, end, slot);
      if (keyEnd > 0) field = this.layoutFields[slot];
      else {
        keyEnd = quickStringEnd(buf, p, end);
        this.escaped = false;
        if (keyEnd === INVALID) keyEnd = this.stringEnd(buf, p, end);
        if (keyEnd < 0)
          return keyEnd === NEED_MORE ? NEED_MORE : this.fail(base + p, 'invalid JSON: bad string', p + 1);
        field = this.escaped ? -1 : matchKey(buf, p + 1, keyEnd - 1);
        this.learnKey(slot, buf, p + 1, keyEnd - 1, field);
      }
      slot++;
      p = skipSpace(buf, keyEnd, end);
      if (p >= end) return NEED_MORE;
      if (buf[p] !== 0x3a) return this.fail(base + p, `invalid JSON: expected ':', found ${describeByte(buf[p])}`, p);
      p = skipSpace(buf, p + 1, end);
      if (p >= end) return NEED_MORE;
      const valueStart = p;
      const c = buf[p];
      let valueEnd: number;
      if (c === 0x22) {
        valueEnd = quickStringEnd(buf, p, end);
        if (valueEnd === INVALID) valueEnd = this.stringEnd(buf, p, end);
        // A user agent goes on as the file wrote it: the builder decodes each distinct one once.
        else if (field >= 0) this.escaped = field === F_AGENT || hasBackslash(buf, p + 1, valueEnd - 1);
        if (valueEnd >= 0 && field >= 0 && problem === null)
          problem = this.takeString(field, buf, valueStart + 1, valueEnd - 1);
      } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
        valueEnd = this.numberEnd(buf, p, end);
        if (valueEnd >= 0 && field >= 0 && problem === null) problem = this.takeNumber(field);
      } else if (c === 0x6e) {
        valueEnd = this.skipValue(buf, p, end); // null: the field counts as missing
        if (valueEnd >= 0 && field >= 0) seen &= ~(1 << field);
      } else {
        valueEnd = this.skipValue(buf, p, end);
        if (valueEnd >= 0 && field >= 0 && field !== F_AGENT && problem === null)
          problem = `field "${FIELD_KEYS[field]}" has the wrong type`;
      }
      if (valueEnd === NEED_MORE) return NEED_MORE;
      if (valueEnd === INVALID) return this.fail(base + p, `invalid JSON: unexpected ${describeByte(buf[p])}`, p + 1);
      if (field >= 0 && c !== 0x6e) seen |= 1 << field;
      p = skipSpace(buf, valueEnd, end);
      if (p >= end) return NEED_MORE;
      if (buf[p] === 0x2c) p++;
      else if (buf[p] !== 0x7d)
        return this.fail(base + p, `invalid JSON: expected ',' or '}', found ${describeByte(buf[p])}`, p);
    }
    if (problem === null && (seen & REQUIRED) !== REQUIRED)
      problem = `missing field "${FIELD_KEYS[missingField(seen)]}"`;
    if (problem !== null) this.sink.malformed(base + start, problem);
    else this.sink.record(rec);
    return p;
  }

  /**
   * Records of one file repeat one key order. If the key at `buf[p]` is the one this slot held in the
   * previous record, returns the index after its closing quote (a plain compare, no search); else -1.
   */
  private predictedKeyEnd(buf: Uint8Array, p: number, end: number, slot: number): number {
    if (slot >= this.layoutKeys.length) return -1;
    const key = this.layoutKeys[slot];
    const close = p + 1 + key.length;
    if (close >= end || buf[close] !== 0x22) return -1;
    const words = this.layoutWords[slot];
    const view = this.view;
    for (let w = 0, at = p + 1; w < words.length; w++, at += 4) if (view.getInt32(at, true) !== words[w]) return -1;
    for (let k = words.length * 4; k < key.length; k++) if (buf[p + 1 + k] !== key[k]) return -1;
    return close + 1;
  }

  private learnKey(slot: number, buf: Uint8Array, start: number, end: number, field: number): void {
    if (slot > this.layoutKeys.length || slot >= 64) return;
    const key = Uint8Array.prototype.slice.call(buf, start, end);
    this.layoutKeys[slot] = key;
    const words = new Int32Array(key.length >> 2);
    const keyView = new DataView(key.buffer, key.byteOffset, key.byteLength);
    for (let w = 0; w < words.length; w++) words[w] = keyView.getInt32(w * 4, true);
    this.layoutWords[slot] = words;
    this.layoutFields[slot] = field;
  }

  /** Stores a string field; returns why it is unusable, or null. */
  private takeString(field: number, buf: Uint8Array, start: number, end: number): string | null {
    const rec = this.rec;
    let b = buf;
    let s = start;
    let e = end;
    if (this.escaped && field === F_AGENT) {
      // User agents hold escapes (`\\(linux\\)`) in most records: the builder decodes each distinct one once.
      rec.agentBuf = buf;
      rec.agentStart = start;
      rec.agentEnd = end;
      rec.agentEscaped = true;
      return null;
    }
    if (this.escaped) {
      // Rare: decode the JSON escapes into a private copy.
      try {
        b = Buffer.from(JSON.parse(Buffer.from(buf.subarray(start - 1, end + 1)).toString('utf8')) as string, 'utf8');
      } catch {
        return `field "${FIELD_KEYS[field]}" has an invalid escape`;
      }
      s = 0;
      e = b.length;
    }
    switch (field) {
      case F_TIMESTAMP:
        rec.time = this.timestamps.parse(b, s, e);
        return Number.isNaN(rec.time)
          ? `unparsable timestamp "${Buffer.from(b.subarray(s, Math.min(e, s + 40))).toString('latin1')}"`
          : null;
      case F_METHOD:
        rec.method = matchMethod(b, s, e);
        return null;
      case F_URI:
        rec.uriBuf = b;
        rec.uriStart = s;
        rec.uriEnd = e;
        return null;
      case F_CLIENT:
        rec.clientBuf = b;
        rec.clientStart = s;
        rec.clientEnd = e;
        return null;
      case F_AGENT:
        rec.agentBuf = b;
        rec.agentStart = s;
        rec.agentEnd = e;
        return null;
      default:
        return `field "${FIELD_KEYS[field]}" is not a number`;
    }
  }

  private takeNumber(field: number): string | null {
    const rec = this.rec;
    switch (field) {
      case F_WRITTEN:
        rec.size = this.num;
        return null;
      case F_DURATION:
        rec.duration = this.num;
        return null;
      case F_STATUS:
        rec.status = this.num >= 0 && this.num <= 65535 ? this.num : 0;
        return null;
      case F_AGENT:
        return null; // a user agent that is not a string is left out, not a reason to drop the record
      default:
        return `field "${FIELD_KEYS[field]}" is not a string`;
    }
  }

  /** `buf[p]` is `"`: the index after the closing quote; sets `escaped`. */
  private stringEnd(buf: Uint8Array, p: number, end: number): number {
    this.escaped = false;
    for (let q = p + 1; q < end; q++) {
      const c = buf[q];
      if (c === 0x22) return q + 1;
      if (c === 0x5c) {
        this.escaped = true;
        q++;
      } else if (c < 0x20) return INVALID;
    }
    return NEED_MORE;
  }

  /** Parses a JSON number into `num`. A number touching `end` may go on in the next chunk. */
  private numberEnd(buf: Uint8Array, p: number, end: number): number {
    let q = p;
    let negative = false;
    if (buf[q] === 0x2d) {
      negative = true;
      q++;
    }
    let value = 0;
    const intStart = q;
    while (q < end && buf[q] >= 0x30 && buf[q] <= 0x39) value = value * 10 + (buf[q++] - 0x30);
    if (q === intStart && q < end) return INVALID;
    if (q < end && buf[q] === 0x2e) {
      q++;
      let scale = 1;
      let frac = 0;
      const fracStart = q;
      while (q < end && buf[q] >= 0x30 && buf[q] <= 0x39) {
        frac = frac * 10 + (buf[q++] - 0x30);
        scale *= 10;
      }
      if (q === fracStart && q < end) return INVALID;
      value += frac / scale;
    }
    if (q < end && (buf[q] === 0x65 || buf[q] === 0x45)) {
      q++;
      let expNegative = false;
      if (q < end && (buf[q] === 0x2b || buf[q] === 0x2d)) expNegative = buf[q++] === 0x2d;
      let exp = 0;
      const expStart = q;
      while (q < end && buf[q] >= 0x30 && buf[q] <= 0x39) exp = exp * 10 + (buf[q++] - 0x30);
      if (q === expStart && q < end) return INVALID;
      value = expNegative ? value / 10 ** exp : value * 10 ** exp;
    }
    if (q >= end) return NEED_MORE;
    this.num = negative ? -value : value;
    return q;
  }

  /** Skips any JSON value (nested ones too); INVALID where no value starts. */
  private skipValue(buf: Uint8Array, p: number, end: number): number {
    const c = buf[p];
    if (c === 0x22) return this.stringEnd(buf, p, end);
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.numberEnd(buf, p, end);
    if (c === 0x74 || c === 0x66 || c === 0x6e) {
      const word = c === 0x74 ? 'true' : c === 0x66 ? 'false' : 'null';
      for (let k = 0; k < word.length; k++) {
        if (p + k >= end) return NEED_MORE;
        if (buf[p + k] !== word.charCodeAt(k)) return INVALID;
      }
      return p + word.length;
    }
    if (c !== 0x7b && c !== 0x5b) return INVALID;
    let depth = 0;
    for (let q = p; q < end; q++) {
      const d = buf[q];
      if (d === 0x22) {
        const e = this.stringEnd(buf, q, end);
        if (e < 0) return e;
        q = e - 1;
      } else if (d === 0x7b || d === 0x5b) depth++;
      else if (d === 0x7d || d === 0x5d) {
        if (--depth === 0) return q + 1;
      }
    }
    return NEED_MORE;
  }
}

/**
 * The end of the string starting at `buf[p]` found with a native memchr rather than a byte loop: most
 * of a record's bytes are in strings (the user agent alone is a third). INVALID asks the caller for
 * the careful scan, as the quote found may be escaped. Raw control characters are not looked for here.
 */
function quickStringEnd(buf: Uint8Array, p: number, end: number): number {
  // Most strings of a record are short (ids, hosts, timestamps): a byte loop finds their end before a
  // native call would have started. Longer ones (user agents) go to memchr.
  const near = Math.min(end, p + 1 + SHORT_STRING);
  for (let q = p + 1; q < near; q++) if (buf[q] === 0x22) return buf[q - 1] === 0x5c ? INVALID : q + 1;
  if (near === end) return NEED_MORE;
  const q = (buf as Buffer).indexOf(0x22, near);
  if (q < 0 || q >= end) return NEED_MORE;
  return buf[q - 1] === 0x5c ? INVALID : q + 1;
}

function hasBackslash(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] === 0x5c) return true;
  return false;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipSpace(buf: Uint8Array, p: number, end: number): number {
  while (p < end && isSpace(buf[p])) p++;
  return p;
}

function matchKey(buf: Uint8Array, start: number, end: number): number {
  const len = end - start;
  for (let f = 0; f < KEY_BYTES.length; f++) {
    const key = KEY_BYTES[f];
    if (key.length !== len) continue;
    let k = len - 1; // keys share their prefix: compare from the end
    while (k >= 0 && key[k] === buf[start + k]) k--;
    if (k < 0) return f;
  }
  return -1;
}

function matchMethod(buf: Uint8Array, start: number, end: number): MethodCode {
  const len = end - start;
  for (const [bytes, code] of METHOD_BYTES) {
    if (bytes.length !== len) continue;
    let k = 0;
    while (k < len && bytes[k] === buf[start + k]) k++;
    if (k === len) return code;
  }
  return Method.OTHER;
}

function missingField(seen: number): number {
  for (let f = 0; f < FIELD_KEYS.length; f++) if ((REQUIRED & (1 << f)) !== 0 && (seen & (1 << f)) === 0) return f;
  return 0;
}

function describeByte(c: number | undefined): string {
  if (c === undefined) return 'end of input';
  return c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
}
