import { Kind } from '../trace/request.js';
import type { TraceTable } from '../trace/table.js';
import { numberArg, TIER, type CacheModel, type Tier } from './model.js';

/**
 * What every single-tier eviction policy has to do, and nothing it has to decide: see a layer request,
 * call it a hit or a miss, make room by asking the policy for victims, insert, count. Policies keep
 * only their own order of the cached layers (indexed by the TraceTable's dense object ids).
 */
export interface EvictionPolicy {
  /** A cached layer was requested (by request `row` of the table). */
  hit(layer: number, row: number): void;
  /** A layer is missing (before any eviction for it): adaptive policies learn from ghost hits here. */
  missed?(layer: number, row: number, bytes: number): void;
  /** A layer was inserted (requested by `row`), `bytes` long. */
  inserted(layer: number, row: number, bytes: number): void;
  /** The layer to evict next (must be cached). */
  victim(): number;
  /** The victim was removed. */
  removed(layer: number): void;
}

/**
 * A size-aware layer cache of `capacity` bytes in front of one policy; manifests are not cached. Layers
 * larger than `admitMax` bytes bypass it (counted as misses, never inserted), as the paper's two-level
 * cache keeps large layers out of memory, so that policies compare on equal terms.
 */
export class LayerCache implements CacheModel {
  private readonly cached: Uint8Array;
  private readonly sizes: Float64Array;
  private used = 0;
  private readonly c = { requests: 0, hits: 0, bytes: 0, byteHits: 0, evictions: 0 };
  lastTier: Tier = TIER.MISS;

  constructor(
    private readonly table: TraceTable,
    private readonly capacity: number,
    private readonly policy: EvictionPolicy,
    private readonly admitMax = Infinity,
  ) {
    this.cached = new Uint8Array(table.pools.objects.size);
    this.sizes = new Float64Array(table.pools.objects.size);
  }

  access(row: number): boolean {
    const { kind, object, size } = this.table.columns;
    this.lastTier = TIER.MISS;
    if (kind[row] !== Kind.BLOB) return false;
    const layer = object[row];
    const bytes = size[row];
    const c = this.c;
    c.requests++;
    c.bytes += bytes;
    if (this.cached[layer] === 1) {
      c.hits++;
      c.byteHits += bytes;
      this.policy.hit(layer, row);
      this.lastTier = TIER.MEMORY;
      return true;
    }
    if (bytes > this.capacity || bytes > this.admitMax) return false;
    this.policy.missed?.(layer, row, bytes);
    while (this.used + bytes > this.capacity) {
      const victim = this.policy.victim();
      this.cached[victim] = 0;
      this.used -= this.sizes[victim];
      this.policy.removed(victim);
      c.evictions++;
    }
    this.cached[layer] = 1;
    this.sizes[layer] = bytes;
    this.used += bytes;
    this.policy.inserted(layer, row, bytes);
    return false;
  }

  stats(): Record<string, number> {
    const c = this.c;
    return {
      requests: c.requests,
      hits: c.hits,
      'hit ratio': c.requests === 0 ? 0 : c.hits / c.requests,
      bytes: c.bytes,
      'byte hits': c.byteHits,
      'byte hit ratio': c.bytes === 0 ? 0 : c.byteHits / c.bytes,
      evictions: c.evictions,
    };
  }
}

/**
 * A doubly linked list over dense ids in typed arrays: O(1) push, remove and move-to-back with no
 * allocation per operation (a JS Map used as an LRU slows down badly once full).
 */
export class IdList {
  private readonly prev: Int32Array;
  private readonly next: Int32Array;
  head = -1;
  tail = -1;

  constructor(size: number) {
    this.prev = new Int32Array(size).fill(-1);
    this.next = new Int32Array(size).fill(-1);
  }

  pushBack(id: number): void {
    this.prev[id] = this.tail;
    this.next[id] = -1;
    if (this.tail >= 0) this.next[this.tail] = id;
    else this.head = id;
    this.tail = id;
  }

  remove(id: number): void {
    const p = this.prev[id];
    const n = this.next[id];
    if (p >= 0) this.next[p] = n;
    else this.head = n;
    if (n >= 0) this.prev[n] = p;
    else this.tail = p;
    this.prev[id] = this.next[id] = -1;
  }

  /** The id after `id`, toward the back; -1 at the back. */
  after(id: number): number {
    return this.next[id];
  }

  moveToBack(id: number): void {
    if (this.tail === id) return;
    this.remove(id);
    this.pushBack(id);
  }
}

/**
 * The `admit_max_mb` argument every layer cache takes: the largest layer admitted, in bytes (MB of
 * 2^20 bytes, as the two-level cache's `restrict_mb`); no limit when not given.
 */
export function admitLimit(args: Record<string, unknown>, model: string): number {
  return args.admit_max_mb === undefined ? Infinity : numberArg(args, 'admit_max_mb', 0, model) * 2 ** 20;
}

/** The layer cache a policy factory builds: `capacity_gb` (10^9 bytes) and `admit_max_mb` from its arguments. */
export function layerCache(
  table: TraceTable,
  args: Record<string, unknown>,
  model: string,
  policy: (capacity: number) => EvictionPolicy,
): LayerCache {
  const capacity = numberArg(args, 'capacity_gb', 1, model) * 1e9;
  return new LayerCache(table, capacity, policy(capacity), admitLimit(args, model));
}
