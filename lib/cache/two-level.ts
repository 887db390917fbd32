import { Kind } from '../trace/request.js';
import type { TraceTable } from '../trace/table.js';
import { numberArg, TIER, type CacheModel, type ModelFactory, type Tier } from './model.js';

/**
 * `two-level`: the layer cache of Anwar et al. (FAST'18) as the original player's `cache.py` coded it,
 * reproduced counter for counter so that results compare with the paper's:
 * - an LRU memory tier of `cache_size` GiB; layers of `restrict_mb` MiB or more (default 100) skip it;
 * - an exclusive file-system tier `fs_multiplier` times larger (default 10) that receives what memory
 *   evicts, and hands a layer back to memory on a hit;
 * - manifests excluded; every other request (PUTs too) is an access, keyed by the URI's last segment;
 * - the "initial" counters cover the warm-up, until a tier first fills.
 * The original's recency lists are Python lists with one entry per access and a reference count per
 * layer (lazy deletion); this keeps the same structure in typed arrays, quirks included: a file-system
 * list entry left behind when a layer moved to memory still counts against that layer if it comes back.
 */
class TwoLevelCache implements CacheModel {
  private readonly capacity: number;
  private readonly restrict: number;
  private readonly fsCapacity: number;
  private readonly mem: TierList;
  private readonly fs: TierList;
  private size = 0;
  private fsSize = 0;
  private first = true;
  private fsFirst = true;
  lastTier: Tier = TIER.MISS;
  private readonly c = {
    hits: 0,
    misses: 0,
    firstMemHits: 0,
    firstFsMemHits: 0,
    firstFsHits: 0,
    evictions: 0,
    firstMiss: 0,
    fsMiss: 0,
    fsFirstMiss: 0,
    fsHits: 0,
    fsEvicts: 0,
  };

  constructor(
    private readonly table: TraceTable,
    cacheGiB: number,
    restrictMiB: number,
    fsMultiplier: number,
  ) {
    // Python: int(size * 2**30); restrict capped at the capacity; the fs tier fs_multiplier times larger.
    this.capacity = Math.trunc(cacheGiB * 2 ** 30);
    this.restrict = Math.min(restrictMiB * 2 ** 20, this.capacity);
    this.fsCapacity = this.capacity * fsMultiplier;
    const objects = table.pools.objects.size;
    this.mem = new TierList(objects);
    this.fs = new TierList(objects);
  }

  access(row: number): boolean {
    const { kind, object, size } = this.table.columns;
    this.lastTier = TIER.MISS;
    if (kind[row] === Kind.MANIFEST || kind[row] === Kind.OTHER) return false;
    const layer = object[row];
    const bytes = size[row];
    const c = this.c;
    const mem = this.mem;
    if (mem.has(layer)) {
      mem.touch(layer);
      c.hits++;
      if (this.first) c.firstMemHits++;
      if (this.fsFirst) c.firstFsMemHits++;
      this.lastTier = TIER.MEMORY;
      return true;
    }
    c.misses++;
    if (this.first) c.firstMiss++;
    if (bytes >= this.restrict) {
      return this.fsPlace(layer, bytes, false);
    }
    const fsHit = this.fsCheck(layer);
    if (bytes + this.size > this.capacity) {
      this.first = false;
      while (bytes + this.size > this.capacity) {
        const eject = mem.popOldest();
        if (mem.release(eject) > 0) continue;
        const ejectSize = mem.sizeOf(eject);
        this.fsPlace(eject, ejectSize, true);
        this.size -= ejectSize;
        mem.remove(eject);
        c.evictions++;
      }
    }
    mem.insert(layer, bytes);
    this.size += bytes;
    return fsHit;
  }

  /** A memory miss looks in the file-system tier: a hit moves the layer out of it (exclusive tiers). */
  private fsCheck(layer: number): boolean {
    const c = this.c;
    if (this.fs.has(layer)) {
      this.fsSize -= this.fs.sizeOf(layer);
      this.fs.remove(layer);
      c.fsHits++;
      if (this.fsFirst) c.firstFsHits++;
      this.lastTier = TIER.FS;
      return true;
    }
    c.fsMiss++;
    if (this.fsFirst) c.fsFirstMiss++;
    return false;
  }

  /** Places a layer in the file-system tier: a large layer on a miss, or one memory evicted. */
  private fsPlace(layer: number, bytes: number, ejected: boolean): boolean {
    const c = this.c;
    const fs = this.fs;
    if (fs.has(layer)) {
      fs.touch(layer);
      c.fsHits++;
      if (this.fsFirst) c.firstFsHits++;
      if (!ejected) this.lastTier = TIER.FS;
      return true;
    }
    if (!ejected) {
      c.fsMiss++;
      if (this.fsFirst) c.fsFirstMiss++;
    }
    if (bytes + this.fsSize > this.fsCapacity) {
      if (this.fsCapacity < bytes) return false;
      this.fsFirst = false;
      while (bytes + this.fsSize > this.fsCapacity) {
        const eject = fs.popOldest();
        if (!fs.has(eject)) continue;
        if (fs.release(eject) > 0) continue;
        this.fsSize -= fs.sizeOf(eject);
        fs.remove(eject);
        c.fsEvicts++;
      }
    }
    fs.insert(layer, bytes);
    this.fsSize += bytes;
    return false;
  }

  stats(): Record<string, number> {
    const c = this.c;
    return {
      'memory hits': c.hits,
      'memory misses': c.misses,
      'initial memory misses': c.firstMiss,
      'memory evictions': c.evictions,
      'file system hits': c.fsHits,
      'file system misses': c.fsMiss,
      'initial file system misses': c.fsFirstMiss,
      'file system evictions': c.fsEvicts,
      'initial memory hits': c.firstMemHits,
      'initial memory-file-system hits': c.firstFsMemHits,
      'initial file system hits': c.firstFsHits,
      'lmu hits': c.hits - c.firstMemHits,
      'lmu misses': c.misses - c.firstMiss,
      'h hits': c.hits + c.fsHits - c.firstFsMemHits - c.firstFsHits,
      'h misses': c.fsMiss - c.fsFirstMiss,
    };
  }
}

/**
 * One tier of the original's cache: a dict layer -> [size, references] and a list with an entry per
 * access (appended on insert and on every hit, popped from the front when evicting).
 */
class TierList {
  private readonly present: Uint8Array;
  private readonly sizes: Float64Array;
  private readonly refs: Int32Array;
  private list = new Int32Array(1024);
  private headAt = 0;
  private tailAt = 0;

  constructor(objects: number) {
    this.present = new Uint8Array(objects);
    this.sizes = new Float64Array(objects);
    this.refs = new Int32Array(objects);
  }

  has(layer: number): boolean {
    return this.present[layer] === 1;
  }

  sizeOf(layer: number): number {
    return this.sizes[layer];
  }

  /** A hit: one more list entry and reference. */
  touch(layer: number): void {
    this.push(layer);
    this.refs[layer]++;
  }

  insert(layer: number, size: number): void {
    this.present[layer] = 1;
    this.sizes[layer] = size;
    this.refs[layer] = 1;
    this.push(layer);
  }

  remove(layer: number): void {
    this.present[layer] = 0;
  }

  /** Drops one reference; returns how many are left. */
  release(layer: number): number {
    return --this.refs[layer];
  }

  popOldest(): number {
    if (this.headAt === this.tailAt) throw new Error('two-level: eviction from an empty list');
    return this.list[this.headAt++];
  }

  private push(layer: number): void {
    if (this.tailAt === this.list.length) {
      // Compact what was popped, or grow: the list holds one entry per access still ahead of eviction.
      const live = this.tailAt - this.headAt;
      const next = live * 2 > this.list.length ? new Int32Array(this.list.length * 2) : this.list;
      next.copyWithin(0, this.headAt, this.tailAt);
      if (next !== this.list) next.set(this.list.subarray(this.headAt, this.tailAt));
      this.list = next;
      this.headAt = 0;
      this.tailAt = live;
    }
    this.list[this.tailAt++] = layer;
  }
}

export const twoLevel: ModelFactory = (table, args) =>
  new TwoLevelCache(
    table,
    numberArg(args, 'cache_size', 1, 'two-level'),
    numberArg(args, 'restrict_mb', 100, 'two-level'),
    numberArg(args, 'fs_multiplier', 10, 'two-level'),
  );
