import { StringPool } from './string-pool.js';

const encoder = new TextEncoder();
const EMPTY_SLOT = 0;
const NATIVE_COMPARE = 48;
const compareBytes = Buffer.prototype.compare as (
  this: Uint8Array,
  target: Uint8Array,
  targetStart: number,
  targetEnd: number,
  sourceStart: number,
  sourceEnd: number,
) => number;

/**
 * Interns byte ranges into dense ids without making a JS string per lookup: the trace reader hands it
 * slices of its read buffer, and only a string never seen before costs a copy (into one arena).
 * Open addressing over an Int32Array keyed by FNV-1a; ids are assigned in first-seen order.
 */
export class ByteInterner {
  private arena = new Uint8Array(1 << 16);
  private arenaUsed = 0;
  private offsets = new Uint32Array(1 << 10);
  private hashes = new Uint32Array(1 << 10);
  private count = 0;
  /** id + 1 per slot, 0 when empty. */
  private slots = new Int32Array(1 << 11);
  private mask = (1 << 11) - 1;

  get size(): number {
    return this.count;
  }

  intern(buf: Uint8Array, start: number, end: number): number {
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
    h >>>= 0;
    const len = end - start;
    let slot = h & this.mask;
    for (;;) {
      const entry = this.slots[slot];
      if (entry === EMPTY_SLOT) break;
      const id = entry - 1;
      if (
        this.hashes[id] === h &&
        this.offsets[id + 1] - this.offsets[id] === len &&
        this.sameBytes(id, buf, start, len)
      )
        return id;
      slot = (slot + 1) & this.mask;
    }
    return this.add(buf, start, len, h, slot);
  }

  /** Whether string `id` is `buf[start, end)`. */
  equals(id: number, buf: Uint8Array, start: number, end: number): boolean {
    return this.offsets[id + 1] - this.offsets[id] === end - start && this.sameBytes(id, buf, start, end - start);
  }

  internString(s: string): number {
    const bytes = encoder.encode(s);
    return this.intern(bytes, 0, bytes.length);
  }

  /** A pool holding a copy of everything interned so far. */
  toPool(): StringPool {
    return new StringPool(this.arena.slice(0, this.arenaUsed), this.offsets.slice(0, this.count + 1));
  }

  private sameBytes(id: number, buf: Uint8Array, start: number, len: number): boolean {
    const base = this.offsets[id];
    const arena = this.arena;
    // Long strings (user agents) by a native memcmp, cheaper than a loop at their length (docs/performance.md).
    if (len >= NATIVE_COMPARE) return compareBytes.call(buf, arena, base, base + len, start, start + len) === 0;
    for (let i = 0; i < len; i++) if (arena[base + i] !== buf[start + i]) return false;
    return true;
  }

  private add(buf: Uint8Array, start: number, len: number, hash: number, slot: number): number {
    const id = this.count;
    if (this.arenaUsed + len > this.arena.length) this.arena = grow(this.arena, this.arenaUsed + len);
    this.arena.set(buf.subarray(start, start + len), this.arenaUsed);
    if (id + 2 > this.offsets.length) {
      this.offsets = grow(this.offsets, id + 2);
      this.hashes = grow(this.hashes, id + 2);
    }
    this.offsets[id] = this.arenaUsed;
    this.arenaUsed += len;
    this.offsets[id + 1] = this.arenaUsed;
    this.hashes[id] = hash;
    this.count = id + 1;
    this.slots[slot] = id + 1;
    if (this.count * 2 > this.slots.length) this.rehash();
    return id;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 0; id < this.count; id++) {
      let slot = this.hashes[id] & mask;
      while (slots[slot] !== EMPTY_SLOT) slot = (slot + 1) & mask;
      slots[slot] = id + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

type Growable = Uint8Array | Uint32Array;

function grow<T extends Growable>(arr: T, atLeast: number): T {
  let length = arr.length * 2;
  while (length < atLeast) length *= 2;
  const next = new (arr.constructor as new (n: number) => T)(length);
  next.set(arr);
  return next;
}
