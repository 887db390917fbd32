import t from 'tap';
import { MODELS } from '../../../lib/cache/index.js';
import { TraceTableBuilder } from '../../../lib/trace/builder.js';
import { Method } from '../../../lib/trace/request.js';
import type { TraceTable } from '../../../lib/trace/table.js';
import { Random } from '../../../lib/trace/random.js';

/** A table of `[method, uri, size]` requests, one millisecond apart. */
function table(requests: [string, string, number][]): TraceTable {
  const b = new TraceTableBuilder();
  requests.forEach(([method, uri, size], i) =>
    b.addStrings(1e12 + i, Method[method as 'GET'], uri, 'c', size, 0.1, 200),
  );
  return b.build();
}

function replay(
  name: string,
  t: TraceTable,
  args: Record<string, unknown>,
): { hits: boolean[]; stats: Record<string, number> } {
  const model = MODELS[name](t, args);
  const hits = Array.from({ length: t.length }, (_, i) => model.access(i));
  return { hits, stats: model.stats() };
}

const blob = (id: string): string => `v2/u/r/blobs/${id}`;

t.test("two-level reproduces the original's counters (worked out by hand)", async (t) => {
  // Memory 1000 bytes, layers of 400 bytes or more skip it, file system tier 2000 bytes.
  const args = { cache_size: 1000 / 2 ** 30, restrict_mb: 400 / 2 ** 20, fs_multiplier: 2 };
  const trace = table([
    ['GET', blob('A'), 300], // 1 miss, into memory
    ['GET', blob('B'), 300], // 2 miss
    ['GET', blob('A'), 300], // 3 memory hit
    ['GET', 'v2/u/r/manifests/latest', 900], // manifests are not cached: ignored
    ['GET', blob('C'), 300], // 4 miss, memory full (900)
    ['GET', blob('D'), 300], // 5 miss: evicts B (A has a second reference) into the fs tier
    ['GET', blob('E'), 500], // 6 too large for memory: fs miss, into the fs tier
    ['GET', blob('B'), 300], // 7 fs hit: B moves to memory, evicting A into the fs tier
    ['GET', blob('E'), 500], // 8 fs hit
    ['GET', blob('F'), 500], // 9 fs miss, into the fs tier (1300)
    ['GET', blob('G'), 900], // 10 fs full: skips B's stale entry, E loses a reference, A is evicted
    ['GET', blob('A'), 300], // 11 fs miss after warm-up; memory evicts C, the fs tier evicts E for it
    ['GET', blob('E'), 500], // 12 fs miss; the fs tier evicts F
    ['PUT', blob('D'), 300], // 13 a push is an access too: memory hit
  ]);
  const { hits, stats } = replay('two-level', trace, args);
  t.same(hits, [false, false, true, false, false, false, false, true, true, false, false, false, false, true]);
  t.same(stats, {
    'memory hits': 2,
    'memory misses': 11,
    'initial memory misses': 4,
    'memory evictions': 3,
    'file system hits': 2,
    'file system misses': 9,
    'initial file system misses': 7,
    'file system evictions': 3,
    'initial memory hits': 1,
    'initial memory-file-system hits': 1,
    'initial file system hits': 2,
    'lmu hits': 1,
    'lmu misses': 7,
    'h hits': 1,
    'h misses': 2,
  });
});

t.test('two-level: a layer larger than the fs tier is not cached at all', async (t) => {
  const trace = table([
    ['GET', blob('X'), 5000],
    ['GET', blob('X'), 5000],
  ]);
  const { stats } = replay('two-level', trace, {
    cache_size: 1000 / 2 ** 30,
    restrict_mb: 400 / 2 ** 20,
    fs_multiplier: 2,
  });
  t.equal(stats['file system hits'], 0);
  t.equal(stats['file system misses'], 2);
  t.equal(stats['memory misses'], 2);
});

t.test('LRU and FIFO on a sequence where they differ', async (t) => {
  // Capacity: three 300-byte layers. A B C A D B E A
  const trace = table(
    ['A', 'B', 'C', 'A', 'D', 'B', 'E', 'A'].map((id) => ['GET', blob(id), 300] as [string, string, number]),
  );
  const lru = replay('lru', trace, { capacity_gb: 1000 / 1e9 });
  t.same(lru.hits, [false, false, false, true, false, false, false, false], 'LRU: only the second A');
  t.match(lru.stats, { requests: 8, hits: 1, evictions: 4, bytes: 2400, 'byte hits': 300 });
  const fifo = replay('fifo', trace, { capacity_gb: 1000 / 1e9 });
  t.same(fifo.hits, [false, false, false, true, false, true, false, false], 'FIFO: A, and B (never moved to the back)');
  t.match(fifo.stats, { requests: 8, hits: 2, evictions: 3, 'hit ratio': 0.25 });
});

t.test('model arguments are checked', async (t) => {
  t.throws(
    () => MODELS.lru(table([]), { capacity_gb: 'big' }),
    /lru: argument capacity_gb must be a non-negative number/,
  );
});

/** A table of `[seconds, method, uri, size, client]` requests. */
function timed(requests: [number, string, string, number, string][]): TraceTable {
  const b = new TraceTableBuilder();
  for (const [s, method, uri, size, client] of requests)
    b.addStrings(1e12 + s * 1000, Method[method as 'GET'], uri, client, size, 0.1, 200);
  return b.build();
}

t.test('prefetch: watches, the ±1000-byte rule, expiry, and the compat modes (worked out by hand)', async (t) => {
  const trace = timed([
    [0, 'PUT', blob('L1'), 5000, 'P'], // watch u/r: a 5000-byte layer
    [1, 'PUT', blob('L2'), 20000, 'P'], // and a 20000-byte one
    [2, 'GET', 'v2/u/r/manifests/m', 700, 'A'], // A pulls u/r: prefetch the watched layers
    [3, 'GET', blob('x'), 5500, 'A'], // within 1000 bytes of 5000: hit
    [4, 'GET', 'v2/other/repo/blobs/y', 100, 'B'], // nothing prefetched for that repo: miss
    [5, 'GET', blob('z'), 7000, 'A'], // prefetched repo, no size within 1000: neither
  ]);
  const original = replay('prefetch', trace, { compat: 'original', rtimeout: 1.5, mtimeout: 2 });
  t.same(
    original.stats,
    { hits: 1, misses: 1, 'good prefetch': 1, 'bad prefetch': 1, 'max size': 25000 },
    'original: timeouts have no effect',
  );
  t.same(original.hits, [false, false, false, true, false, false]);
  // Default: at t=2 the first watch (t=0) is older than 1.5 s, so only the 20000-byte layer is
  // prefetched; at t=5 it is older than 2 s and expires unused, so the last GET is a miss.
  const expiring = replay('prefetch', trace, { compat: 'default', rtimeout: 1.5, mtimeout: 2 });
  t.same(expiring.stats, { hits: 0, misses: 2, 'good prefetch': 0, 'bad prefetch': 1, 'max size': 20000 });
  const long = replay('prefetch', trace, { rtimeout: 600, mtimeout: 600 });
  t.same(long.stats, original.stats, 'with long timeouts the default equals the original');
  t.throws(() => MODELS.prefetch(trace, { compat: 'python' }), /compat must be "default" or "original"/);
});

const seq = (ids: string, size = 300): [string, string, number][] => [...ids].map((id) => ['GET', blob(id), size]);

t.test('LFU keeps the most requested layer; OPT evicts the farthest next use', async (t) => {
  const three = { capacity_gb: 1000 / 1e9 };
  t.same(
    replay('lfu', table(seq('AABCDAB')), three).hits,
    [false, true, false, false, false, true, false],
    'LFU: D evicts B (fewest, oldest), so A stays',
  );
  t.same(
    replay('lru', table(seq('AABCDAB')), three).hits,
    [false, true, false, false, false, false, false],
    'LRU evicted A',
  );
  t.same(
    replay('opt', table(seq('ABCDABEA')), three).hits,
    [false, false, false, false, true, true, false, true],
    'OPT: D evicts C (never again)',
  );
  t.equal(replay('lru', table(seq('ABCDABEA')), three).stats.hits, 1);
});

t.test('S3-FIFO: small queue, promotion on a second hit, ghosts (worked out by hand)', async (t) => {
  const { hits, stats } = replay('s3-fifo', table(seq('ABCDAAEBAC', 100)), {
    capacity_gb: 400 / 1e9,
    small_ratio: 0.25,
  });
  t.same(hits, [false, false, false, false, true, true, false, false, true, false]);
  t.equal(stats.evictions, 3);
});

t.test('OPT is never below any other policy on same-size layers', async (t) => {
  const rng = new Random(5);
  const ids = Array.from({ length: 4000 }, () => Math.floor(Math.pow(rng.next(), 2.5) * 300));
  const trace = table(ids.map((id) => ['GET', blob(`L${id}`), 1000]));
  for (const slots of [5, 20, 80]) {
    const args = { capacity_gb: (slots * 1000) / 1e9 };
    const hits = Object.fromEntries(
      ['lru', 'fifo', 'lfu', 'arc', 's3-fifo', 'sieve', 'clock', '2q', 'w-tinylfu', 'gdsf', 'opt'].map((name) => [
        name,
        replay(name, trace, args).stats.hits,
      ]),
    );
    t.ok(
      Object.values(hits).every((h) => h <= hits.opt),
      `${slots} slots: ${JSON.stringify(hits)}`,
    );
  }
});

t.test('ARC: recency and frequency lists, ghosts steering p (worked out by hand)', async (t) => {
  // Three 100-byte slots. A B C A D A E B D E A: D and E come back from B1 (p grows), A from B2 (p shrinks).
  const { hits, stats } = replay('arc', table(seq('ABCADAEBDEA', 100)), { capacity_gb: 300 / 1e9 });
  t.same(hits, [false, false, false, true, false, true, false, false, false, false, false]);
  t.equal(stats.evictions, 6);
});

t.test(
  'SIEVE keeps a visited layer in place where CLOCK sends it round, and evicts it later (worked out by hand)',
  async (t) => {
    const three = { capacity_gb: 300 / 1e9 };
    // A B C fill; A is hit. D: the hand clears A and evicts B, stopping at C. B evicts C, E evicts D; A is
    // still there at the 8th request. CLOCK moved A to the back at D, then evicted it at E.
    t.same(replay('sieve', table(seq('ABCADBEAC', 100)), three).hits, [
      false,
      false,
      false,
      true,
      false,
      false,
      false,
      true,
      false,
    ]);
    t.same(replay('clock', table(seq('ABCADBEAC', 100)), three).hits, [
      false,
      false,
      false,
      true,
      false,
      false,
      false,
      false,
      false,
    ]);
    t.equal(replay('sieve', table(seq('ABCADBEAC', 100)), three).stats.evictions, 4);
  },
);

t.test(
  '2Q: a FIFO for new layers, ghosts of its evictions, an LRU for layers that came back (worked out by hand)',
  async (t) => {
    // Four 100-byte slots; A1in's share is one layer, A1out remembers two. A is hit in A1in (4); evicted from
    // A1in at E (6), it comes back from A1out into Am (7), as B does (9); C, a ghost, is forgotten at G
    // (10). A and F are hits (11, 12). D and E come back from A1out (13, 14): E's room is made in Am, which
    // evicts B, its least recent, without a ghost, so B is a plain miss into A1in at 15.
    const { hits, stats } = replay('2q', table(seq('ABCADEAFBGAFDEB', 100)), { capacity_gb: 400 / 1e9 });
    t.same(hits, [
      false,
      false,
      false,
      true,
      false,
      false,
      false,
      false,
      false,
      false,
      true,
      true,
      false,
      false,
      false,
    ]);
    t.equal(stats.evictions, 8);
  },
);

t.test('GDSF evicts the lowest frequency per byte, aged by the last eviction (worked out by hand)', async (t) => {
  // 1000 bytes; A 100, B 500, C 400, D 300. Priorities L + f/size: D evicts B (0.002), B evicts C
  // (0.0025, L = 0.0025), C evicts B again (0.0045 against D's 0.00533 and A's 0.02); A and D stay.
  const sized = (ids: string): [string, string, number][] =>
    [...ids].map((id) => ['GET', blob(id), { A: 100, B: 500, C: 400, D: 300 }[id] as number]);
  const trace = table(sized('ABACDBCAD'));
  t.same(replay('gdsf', trace, { capacity_gb: 1000 / 1e9 }).hits, [
    false,
    false,
    true,
    false,
    false,
    false,
    false,
    true,
    true,
  ]);
  t.same(
    replay('lru', trace, { capacity_gb: 1000 / 1e9 }).hits,
    [false, false, true, false, false, false, false, false, false],
    'LRU evicted A at B',
  );
});

t.test(
  'W-TinyLFU: the window, the sketch as the doorman of probation, promotion and demotion (worked out by hand)',
  async (t) => {
    // Four 100-byte slots: a window of one, protected one, probation the rest. E's candidate D (seen once)
    // ties probation's B and goes (7); B is promoted and demotes A (8); E and F lose their ties (9, 10); D,
    // now seen twice, beats C (11); G loses to A (12); A and D are hits from probation (13, 14).
    const args = { capacity_gb: 400 / 1e9, window_ratio: 0.25, protected_ratio: 1 / 3 };
    const { hits, stats } = replay('w-tinylfu', table(seq('AABACDEBFDGCAD', 100)), args);
    t.same(hits, [false, true, false, true, false, false, false, true, false, false, false, false, true, true]);
    t.equal(stats.evictions, 5);
    t.same(
      replay('lru', table(seq('AABACDEBFDGCAD', 100)), { capacity_gb: 400 / 1e9 }).hits.slice(9, 10),
      [true],
      'LRU kept D for the 10th request',
    );
  },
);

t.test('admit_max_mb: larger layers bypass every layer cache, counted as misses', async (t) => {
  const trace = table([
    ['GET', blob('A'), 100],
    ['GET', blob('B'), 200],
    ['GET', blob('A'), 100],
    ['GET', blob('B'), 200],
  ]);
  for (const name of ['lru', 'fifo', 'lfu', 'arc', 's3-fifo', 'sieve', 'clock', '2q', 'w-tinylfu', 'gdsf', 'opt']) {
    const { hits, stats } = replay(name, trace, { capacity_gb: 300 / 1e9, admit_max_mb: 150 / 2 ** 20 });
    t.same(hits, [false, false, true, false], `${name}: B is never cached`);
    t.equal(stats.requests, 4, `${name}: but counted`);
    t.same(
      replay(name, trace, { capacity_gb: 300 / 1e9 }).hits,
      [false, false, true, true],
      `${name}: without the filter B is cached`,
    );
  }
});
