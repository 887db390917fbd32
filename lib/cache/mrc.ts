import { Kind } from '../trace/request.js';
import type { TraceTable } from '../trace/table.js';

/** One point of a miss-ratio curve: an LRU cache of `bytes` misses these shares of layer requests and bytes. */
export interface MrcPoint {
  bytes: number;
  missRatio: number;
  byteMissRatio: number;
}

export interface MrcOptions {
  /** Sample a share of the layers (SHARDS, spatially hashed) instead of computing over all of them. */
  rate?: number;
  /** Cache sizes to give the curve at, in bytes (default: `points` sizes, log-spaced up to the working set). */
  sizes?: readonly number[];
  /** How many log-spaced sizes without `sizes` (default 100). */
  points?: number;
}

/** The hash space SHARDS samples from: a layer is sampled when its hash is below rate x this. */
const HASH_SPACE = 2 ** 24;
const DEFAULT_POINTS = 100;

/**
 * The LRU miss-ratio curve of the trace's layer requests, in one pass (Mattson et al., 1970): a request's
 * reuse distance is the bytes of the distinct layers requested since the same layer was last requested,
 * plus its own size, and an LRU cache of C bytes hits it exactly when that is at most C (the cache always
 * holds the longest most-recent prefix of the recency stack that fits). Distances come from a Fenwick
 * tree over request positions holding each layer's bytes at its latest request.
 *
 * Requests are what `LayerCache` counts (every blob row), and each layer's size is that of its first
 * request. The curve equals an LRU simulation at every size where no layer is larger than the cache (a
 * larger one never enters it, but holds stack space here).
 *
 * With `rate`, SHARDS (Waldspurger et al., FAST 2015): only layers whose hash falls under the rate are
 * followed, distances are scaled by 1/rate, and the sample's request and byte counts are corrected to
 * the expected ones (SHARDS-adj), so that a 1% sample draws the curve from a hundredth of the work.
 */
export function lruMissRatioCurve(table: TraceTable, options: MrcOptions = {}): MrcPoint[] {
  const rate = options.rate ?? 1;
  const threshold = Math.round(rate * HASH_SPACE);
  const { kind, object, size } = table.columns;
  const layers = table.pools.objects.size;
  const firstSize = new Float64Array(layers).fill(NaN);
  const last = new Int32Array(layers).fill(-1);
  let requests = 0;
  let requestedBytes = 0;
  for (let i = 0; i < table.length; i++) {
    if (kind[i] !== Kind.BLOB) continue;
    requests++;
    requestedBytes += size[i];
  }
  // Distances of the sampled requests (Infinity: a first request), and the bytes each request asked for.
  const distance = new Float64Array(requests);
  const asked = new Float64Array(requests);
  const bytes = new Fenwick(requests);
  let sampled = 0;
  let workingSet = 0;
  for (let i = 0; i < table.length; i++) {
    if (kind[i] !== Kind.BLOB) continue;
    const layer = object[i];
    if (Number.isNaN(firstSize[layer])) {
      firstSize[layer] = size[i];
      workingSet += size[i];
    }
    if (rate < 1 && spatialHash(layer) >= threshold) continue;
    const at = sampled++;
    const own = firstSize[layer];
    asked[at] = size[i];
    const previous = last[layer];
    if (previous < 0) distance[at] = Infinity;
    else {
      distance[at] = (bytes.sum(at) - bytes.sum(previous + 1)) / rate + own;
      bytes.add(previous, -own);
    }
    bytes.add(at, own);
    last[layer] = at;
  }
  const sizes = options.sizes ?? defaultSizes(table, workingSet, options.points ?? DEFAULT_POINTS);
  return curveAt(
    distance.subarray(0, sampled),
    asked.subarray(0, sampled),
    sizes,
    requests * rate,
    requestedBytes * rate,
  );
}

/**
 * Miss ratios at each size from the sampled requests' distances: each request is counted at the smallest
 * size that hits it, and hits at a size are those counts up to it. `expected` and `expectedBytes` are the
 * requests and bytes a sample of this rate should have: the difference from the sample's is added as hits
 * at every size (SHARDS-adj, for bytes as for requests; zero for an exact curve). A sample that caught a
 * very popular layer has too many requests, nearly all of them hits, and loses them again here.
 */
function curveAt(
  distance: Float64Array,
  asked: Float64Array,
  sizes: readonly number[],
  expected: number,
  expectedBytes: number,
): MrcPoint[] {
  const ascending = [...sizes].sort((a, b) => a - b);
  const hitsAt = new Float64Array(ascending.length);
  const hitBytesAt = new Float64Array(ascending.length);
  let totalAsked = 0;
  for (let k = 0; k < distance.length; k++) {
    totalAsked += asked[k];
    // The first size at or above the distance, by bisection.
    let lo = 0;
    let hi = ascending.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ascending[mid] >= distance[k]) hi = mid;
      else lo = mid + 1;
    }
    if (lo < ascending.length) {
      hitsAt[lo]++;
      hitBytesAt[lo] += asked[k];
    }
  }
  const adjust = expected - distance.length;
  const adjustBytes = expectedBytes - totalAsked;
  let hits = 0;
  let hitBytes = 0;
  return ascending.map((cache, j) => {
    hits += hitsAt[j];
    hitBytes += hitBytesAt[j];
    return {
      bytes: cache,
      missRatio: expected <= 0 ? 0 : Math.min(1, Math.max(0, 1 - (hits + adjust) / expected)),
      byteMissRatio: expectedBytes <= 0 ? 0 : Math.min(1, Math.max(0, 1 - (hitBytes + adjustBytes) / expectedBytes)),
    };
  });
}

/** Log-spaced sizes from the smallest layer to the working set. */
function defaultSizes(table: TraceTable, workingSet: number, points: number): number[] {
  const { kind, size } = table.columns;
  let smallest = Infinity;
  for (let i = 0; i < table.length; i++)
    if (kind[i] === Kind.BLOB && size[i] > 0 && size[i] < smallest) smallest = size[i];
  if (!Number.isFinite(smallest) || workingSet <= smallest) return [Math.max(1, workingSet)];
  const ratio = workingSet / smallest;
  return Array.from({ length: points }, (_, k) => smallest * ratio ** (k / (points - 1)));
}

/** A hash of a layer id, uniform over [0, HASH_SPACE): SHARDS samples layers, not requests. */
function spatialHash(id: number): number {
  let h = Math.imul(id ^ 0x5bd1e995, 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca77);
  h ^= h >>> 13;
  return (h >>> 0) % HASH_SPACE;
}

/** Prefix sums over positions with point updates, both in O(log n). */
class Fenwick {
  private readonly tree: Float64Array;

  constructor(size: number) {
    this.tree = new Float64Array(size + 1);
  }

  add(position: number, value: number): void {
    for (let i = position + 1; i < this.tree.length; i += i & -i) this.tree[i] += value;
  }

  /** The sum over positions [0, end). */
  sum(end: number): number {
    let total = 0;
    for (let i = end; i > 0; i -= i & -i) total += this.tree[i];
    return total;
  }
}
