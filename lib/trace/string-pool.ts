const decoder = new TextDecoder();

/**
 * An immutable table of interned strings kept as one UTF-8 byte block plus offsets, so a pool loads from
 * a .drtp file without decoding anything; strings are decoded on first use and then cached.
 */
export class StringPool {
  private readonly decoded: (string | undefined)[];

  constructor(
    /** Concatenated UTF-8 bytes of every string, in id order. */
    readonly bytes: Uint8Array,
    /** `count + 1` offsets: string `id` is `bytes[offsets[id], offsets[id + 1])`. */
    readonly offsets: Uint32Array,
  ) {
    this.decoded = new Array<string | undefined>(offsets.length - 1);
  }

  /** A pool of one string, the empty one (id 0). */
  static withEmptyOnly(): StringPool {
    return new StringPool(new Uint8Array(0), new Uint32Array(2));
  }

  get size(): number {
    return this.offsets.length - 1;
  }

  get(id: number): string {
    if (id < 0 || id >= this.size) throw new RangeError(`string id ${id} is outside the pool (size ${this.size})`);
    let s = this.decoded[id];
    if (s === undefined) {
      s = decoder.decode(this.bytes.subarray(this.offsets[id], this.offsets[id + 1]));
      this.decoded[id] = s;
    }
    return s;
  }

  /** Every string, in id order (decodes them all: for small pools and tests). */
  toArray(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.size; i++) out.push(this.get(i));
    return out;
  }
}
