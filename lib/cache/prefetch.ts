import { DrtpError } from '../errors.js';
import { Kind, Method } from '../trace/request.js';
import type { TraceTable } from '../trace/table.js';
import { numberArg, TIER, type CacheModel, type ModelFactory, type Tier } from './model.js';

interface Pushed {
  time: number;
  clients: Set<number>;
  size: number;
}

interface Prefetched {
  time: number;
  /** Layer GETs that matched it. */
  used: number;
  size: number;
}

/**
 * `prefetch`: the paper's layer prefetcher, as the original player's `prefetch.py` defined it. A push
 * (any PUT) puts the repository's pushed layer on watch; a manifest GET by a client prefetches every
 * watched layer of that repository the client has not been given yet (one prefetched copy per distinct
 * size); a later layer GET of that repository whose size is within 1000 bytes of a prefetched one is a
 * hit (each matching prefetched layer counts), a layer GET of a repository with nothing prefetched is a
 * miss. Prefetched layers expire after `mtimeout` seconds (good if they were used, bad if not) and
 * watches after `rtimeout` seconds. `compat: original` reproduces the published code, whose two expiry
 * calls were commented out (so every timeout pair gave the same result); `compat: default` runs both
 * before each request, as that code defines them. Repositories are the first two path segments.
 */
class PrefetchCache implements CacheModel {
  private readonly repos = new Map<number, Pushed[]>();
  private readonly prefetched = new Map<number, Prefetched[]>();
  private readonly repoKey: Int32Array;
  private size = 0;
  private maxSize = -Infinity;
  private readonly c = { hits: 0, misses: 0, good: 0, bad: 0, puts: 0, layerGets: 0, manifestGets: 0 };
  private finished = false;
  lastTier: Tier = TIER.MISS;

  constructor(
    private readonly table: TraceTable,
    private readonly rtimeout: number,
    private readonly mtimeout: number,
    private readonly expire: boolean,
  ) {
    // The original keys repositories by `user/repo`, the first two segments of the path.
    const keys = new Map<string, number>();
    const pool = table.pools.repos;
    this.repoKey = new Int32Array(pool.size);
    for (let id = 0; id < pool.size; id++) {
      const key = pool.get(id).split('/').slice(0, 2).join('/');
      let k = keys.get(key);
      if (k === undefined) keys.set(key, (k = keys.size));
      this.repoKey[id] = k;
    }
  }

  access(row: number): boolean {
    const { kind, method, repo, client, size } = this.table.columns;
    this.lastTier = TIER.MISS;
    if (kind[row] === Kind.OTHER) return false;
    const time = this.table.offsetMs(row) / 1000;
    if (this.expire) {
      this.expirePrefetched(time);
      this.expireWatches(time);
    }
    const r = this.repoKey[repo[row]];
    if (method[row] === Method.PUT) {
      this.c.puts++;
      let list = this.repos.get(r);
      if (list === undefined) this.repos.set(r, (list = []));
      list.push({ time, clients: new Set([client[row]]), size: size[row] });
      return false;
    }
    if (kind[row] === Kind.MANIFEST) {
      this.c.manifestGets++;
      this.prefetch(r, client[row], time);
      return false;
    }
    this.c.layerGets++;
    const hit = this.layerGet(r, size[row]);
    this.lastTier = hit ? TIER.MEMORY : TIER.MISS;
    return hit;
  }

  private prefetch(r: number, clientId: number, time: number): void {
    const watched = this.repos.get(r);
    if (watched === undefined) return;
    for (const layer of watched) {
      if (layer.clients.has(clientId)) continue;
      layer.clients.add(clientId);
      let list = this.prefetched.get(r);
      if (list === undefined) this.prefetched.set(r, (list = []));
      const same = list.find((p) => p.size === layer.size);
      if (same !== undefined) same.time = time;
      else {
        list.push({ time, used: 0, size: layer.size });
        this.grow(layer.size);
      }
    }
  }

  private layerGet(r: number, bytes: number): boolean {
    const list = this.prefetched.get(r);
    if (list === undefined) {
      this.c.misses++;
      return false;
    }
    let hit = false;
    for (const p of list) {
      if (bytes - 1000 < p.size && bytes + 1000 > p.size) {
        this.c.hits++;
        p.used++;
        hit = true;
      }
    }
    return hit;
  }

  private expirePrefetched(time: number): void {
    for (const [r, list] of this.prefetched) {
      for (let i = 0; i < list.length;) {
        if (Math.abs(time - list[i].time) > this.mtimeout) this.retire(list.splice(i, 1)[0]);
        else i++;
      }
      if (list.length === 0) this.prefetched.delete(r);
    }
  }

  private expireWatches(time: number): void {
    for (const [r, list] of this.repos) {
      // The original pops from the front and stops at the first watch still fresh.
      let k = 0;
      while (k < list.length && Math.abs(time - list[k].time) > this.rtimeout) k++;
      if (k > 0) list.splice(0, k);
      if (list.length === 0) this.repos.delete(r);
    }
  }

  private grow(bytes: number): void {
    this.size += bytes;
    if (this.size > this.maxSize) this.maxSize = this.size;
  }

  private retire(p: Prefetched): void {
    this.size -= p.size;
    if (p.used > 0) this.c.good++;
    else this.c.bad++;
  }

  stats(): Record<string, number> {
    // As the original, what is still prefetched at the end is flushed and judged.
    if (!this.finished) {
      this.finished = true;
      for (const list of this.prefetched.values()) for (const p of list) this.retire(p);
      this.prefetched.clear();
    }
    const c = this.c;
    return {
      hits: c.hits,
      misses: c.misses,
      'good prefetch': c.good,
      'bad prefetch': c.bad,
      'max size': this.maxSize === -Infinity ? 0 : this.maxSize,
    };
  }
}

export const prefetch: ModelFactory = (table, args) => {
  const compat = args.compat ?? 'default';
  if (compat !== 'default' && compat !== 'original')
    throw new DrtpError(
      'E_CONFIG',
      `prefetch: argument compat must be "default" or "original", not ${JSON.stringify(compat)}`,
      { path: '/simulate/args' },
    );
  return new PrefetchCache(
    table,
    numberArg(args, 'rtimeout', 600, 'prefetch'),
    numberArg(args, 'mtimeout', 600, 'prefetch'),
    compat === 'default',
  );
};
