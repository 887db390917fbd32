import { hashString } from '../trace/random.js';

/**
 * A consistent-hash ring: each node owns `replicas` points; a key belongs to the first point at or after
 * its hash. Adding a node moves only about 1/n of the keys, so a client keeps its actor (and a digest its
 * registry) when the number of threads or registries changes little.
 */
export class HashRing {
  private readonly points: Uint32Array;
  private readonly owners: Uint32Array;

  constructor(nodes: number, replicas = 160) {
    const entries: [number, number][] = [];
    for (let node = 0; node < nodes; node++)
      for (let r = 0; r < replicas; r++) entries.push([mix(hashString(`node-${node}-${r}`)), node]);
    entries.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    this.points = Uint32Array.from(entries, (e) => e[0]);
    this.owners = Uint32Array.from(entries, (e) => e[1]);
  }

  node(key: string): number {
    const h = mix(hashString(key));
    let lo = 0;
    let hi = this.points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.points[mid] < h) lo = mid + 1;
      else hi = mid;
    }
    return this.owners[lo === this.points.length ? 0 : lo];
  }
}

/** A final avalanche (murmur3 fmix32): FNV alone spreads similar short keys poorly. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
