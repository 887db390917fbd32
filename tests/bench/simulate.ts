import { availableParallelism } from 'node:os';
import { runSweep } from '../../actors/simulate-master.js';
import { sweepBench, sweepRun } from './simulate-sweep.js';
import { Worker } from 'node:worker_threads';
import { shareTable } from '../../lib/trace/shared-table.js';
import { lruMissRatioCurve } from '../../lib/cache/mrc.js';
import { ByteInterner } from '../../lib/trace/interner.js';
import { Kind, Method } from '../../lib/trace/request.js';
import { Random, Zipf } from '../../lib/trace/random.js';
import { TraceTable } from '../../lib/trace/table.js';
import { StringPool } from '../../lib/trace/string-pool.js';

/** A columnar trace of `n` layer GETs over `objects` layers with Zipf popularity, built in memory. */
export function zipfTable(n: number, objects: number, seed: number): { table: TraceTable; workingSet: number } {
  const rng = new Random(seed);
  const zipf = new Zipf(objects, 0.9);
  const sizeOf = new Float64Array(objects);
  for (let o = 0; o < objects; o++)
    sizeOf[o] = Math.max(100, Math.min(1e8, Math.round(rng.logNormal(rng.next() < 0.6 ? 60e3 : 3e6, 1.2))));
  // Popularity rank -> a shuffled id, so popular layers are not the low ids.
  const idOfRank = Uint32Array.from({ length: objects }, (_, i) => i);
  for (let i = objects - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [idOfRank[i], idOfRank[j]] = [idOfRank[j], idOfRank[i]];
  }
  const interner = new ByteInterner();
  for (let o = 0; o < objects; o++) interner.internString(`l${o}`);
  const repos = new ByteInterner();
  repos.internString('bench/repo');
  const clients = new ByteInterner();
  clients.internString('c');
  const object = new Uint32Array(n);
  const size = new Float64Array(n);
  const seen = new Uint8Array(objects);
  let workingSet = 0;
  for (let i = 0; i < n; i++) {
    const o = idOfRank[zipf.draw(rng)];
    object[i] = o;
    size[i] = sizeOf[o];
    if (seen[o] === 0) {
      seen[o] = 1;
      workingSet += sizeOf[o];
    }
  }
  const table = new TraceTable(
    n,
    {
      time: Float64Array.from({ length: n }, (_, i) => 1.5e12 + i),
      size,
      duration: new Float32Array(n),
      repo: new Uint32Array(n),
      object,
      client: new Uint32Array(n),
      agent: new Uint32Array(n),
      status: new Uint16Array(n).fill(200),
      method: new Uint8Array(n).fill(Method.GET),
      kind: new Uint8Array(n).fill(Kind.BLOB),
    },
    {
      repos: repos.toPool(),
      objects: interner.toPool(),
      clients: clients.toPool(),
      agents: StringPool.withEmptyOnly(),
    },
  );
  return { table, workingSet };
}

/** The naive baseline: a JS Map from key to a node object, and a doubly linked list of nodes. */
export function mapLru(table: TraceTable, capacity: number): number {
  interface Node {
    key: number;
    size: number;
    prev: Node | null;
    next: Node | null;
  }
  const map = new Map<number, Node>();
  let head: Node | null = null;
  let tail: Node | null = null;
  let used = 0;
  let hits = 0;
  const unlink = (n: Node): void => {
    if (n.prev) n.prev.next = n.next;
    else head = n.next;
    if (n.next) n.next.prev = n.prev;
    else tail = n.prev;
    n.prev = n.next = null;
  };
  const push = (n: Node): void => {
    n.prev = tail;
    if (tail) tail.next = n;
    else head = n;
    tail = n;
  };
  const { object, size } = table.columns;
  for (let i = 0; i < table.length; i++) {
    const key = object[i];
    const node = map.get(key);
    if (node !== undefined) {
      hits++;
      unlink(node);
      push(node);
      continue;
    }
    if (size[i] > capacity) continue;
    while (used + size[i] > capacity && head !== null) {
      const victim: Node = head;
      unlink(victim);
      map.delete(victim.key);
      used -= victim.size;
    }
    const fresh: Node = { key, size: size[i], prev: null, next: null };
    map.set(key, fresh);
    push(fresh);
    used += size[i];
  }
  return hits;
}

/**
 * `npm run bench -- simulate [requests]`: requests/s per core of the cache models on a Zipf-like trace
 * (10 million requests over a million layers, cache at 10% of the working set), each on a fresh worker
 * thread, next to a naive Map-plus-linked-list LRU measured in the same way; then a 16-point sweep on 1
 * and on 2 workers.
 */
export async function runSimulateBench(args: string[]): Promise<void> {
  if (args[0] === 'sweep') {
    await sweepBench(Number(args[1] ?? 2_000_000), Number(args[2] ?? 3));
    return;
  }
  if (args[0] === 'sweep-run')
    return sweepRun(Number(args[1]), args[2], args[3] === 'a' || args[3] === 'b' ? args[3] : undefined);
  const n = Number(args[0] ?? 10_000_000);
  const objects = Math.max(1000, Math.round(n / 10));
  const out = (s: string): boolean => process.stdout.write(`${s}\n`);
  let t0 = performance.now();
  const { table, workingSet } = zipfTable(n, objects, 1);
  out(
    `trace: ${n.toLocaleString('en-US')} requests over ${objects.toLocaleString('en-US')} layers, working set ${(workingSet / 1e9).toFixed(1)} GB (built in ${((performance.now() - t0) / 1000).toFixed(1)} s); cache = 10% of the working set`,
  );
  const capacity = workingSet * 0.1;
  const rate = (ms: number): string => `${(n / (ms / 1000) / 1e6).toFixed(2).padStart(6)} M req/s`;
  const shared = shareTable(table);
  // Each model on a fresh worker thread (simulate-probe.ts), the table shared.
  const measure = (name: string, modelArgs: Record<string, unknown>): Promise<{ ms: number; hits: number }> =>
    new Promise((resolve, reject) => {
      const worker = new Worker(new URL('./simulate-probe.js', import.meta.url), {
        workerData: { shared, name, args: modelArgs, capacity },
      });
      worker.once(
        'message',
        (result: { ms: number; hits: number }) => void worker.terminate().then(() => resolve(result)),
      );
      worker.once('error', reject);
    });
  const { ms: baselineMs, hits: baselineHits } = await measure('baseline', {});
  out(`  ${'Map + list LRU (baseline)'.padEnd(26)} ${rate(baselineMs)}   hit ratio ${(baselineHits / n).toFixed(4)}`);
  const runs: [string, Record<string, unknown>][] = [
    ['lru', { capacity_gb: capacity / 1e9 }],
    ['fifo', { capacity_gb: capacity / 1e9 }],
    ['lfu', { capacity_gb: capacity / 1e9 }],
    ['arc', { capacity_gb: capacity / 1e9 }],
    ['s3-fifo', { capacity_gb: capacity / 1e9 }],
    ['sieve', { capacity_gb: capacity / 1e9 }],
    ['clock', { capacity_gb: capacity / 1e9 }],
    ['2q', { capacity_gb: capacity / 1e9 }],
    ['w-tinylfu', { capacity_gb: capacity / 1e9 }],
    ['gdsf', { capacity_gb: capacity / 1e9 }],
    ['opt', { capacity_gb: capacity / 1e9 }],
    ['two-level', { cache_size: capacity / 11 / 2 ** 30, fs_multiplier: 10 }],
  ];
  for (const [name, modelArgs] of runs) {
    const { ms, hits } = await measure(name, modelArgs);
    out(
      `  ${name.padEnd(26)} ${rate(ms)}   hit ratio ${(hits / n).toFixed(4)}   ${(baselineMs / ms).toFixed(2)}x the baseline`,
    );
  }
  const sweep = {
    models: ['lru'],
    args: undefined,
    sweep: { capacity_gb: Array.from({ length: 16 }, (_, k) => ((k + 1) * capacity) / 16 / 1e9) },
    baseDir: '.',
  };
  const timed = async (workers: number): Promise<number> => {
    const start = performance.now();
    await runSweep(table, sweep, workers);
    return performance.now() - start;
  };
  const one = await timed(1);
  const two = await timed(Math.min(2, availableParallelism()));
  out(
    `16-point LRU sweep: 1 worker ${(one / 1000).toFixed(1)} s, 2 workers ${(two / 1000).toFixed(1)} s: ${(one / two).toFixed(2)}x (target >= 1.8x)`,
  );
  // The whole curve in one pass, against those 16 points on one worker.
  for (const rate of [1, 0.01]) {
    t0 = performance.now();
    const curve = lruMissRatioCurve(table, { rate, sizes: sweep.sweep.capacity_gb.map((gb) => gb * 1e9) });
    const ms = performance.now() - t0;
    out(
      `LRU miss-ratio curve, ${rate === 1 ? 'exact' : `SHARDS ${rate * 100}%`}, one pass on one core: ${(ms / 1000).toFixed(1)} s, ${(one / ms).toFixed(2)}x the 16-point sweep on 1 worker; miss ratio at 10% of the working set ${curve[curve.length - 1].missRatio.toFixed(4)}`,
    );
  }
}
