import t from 'tap';
import { ReplayRouter, type RouterOptions } from '../../../lib/planning/router.js';
import { HashRing } from '../../../lib/planning/hash-ring.js';
import type { DigestEntry, DigestMap } from '../../../lib/registry/digest-map.js';
import { TraceTableBuilder } from '../../../lib/trace/builder.js';
import { Method, type MethodCode } from '../../../lib/trace/request.js';
import { Random } from '../../../lib/trace/random.js';
import type { Segment } from '../../../lib/contract/replay.js';

const OPTIONS: RouterOptions = {
  speed: 1,
  registries: 1,
  selection: 'random',
  seed: 1,
  workers: 3,
  route: true,
  segmentRows: 100,
  manifestsAsImages: false,
};

function trace(n: number, clients: number) {
  const rng = new Random(1);
  const b = new TraceTableBuilder();
  for (let i = 0; i < n; i++)
    b.addStrings(
      1.5e12 + i * 10,
      Method.GET,
      `v2/u/r/blobs/b${rng.int(50)}`,
      `client-${rng.int(clients)}`,
      1000,
      0.1,
      200,
    );
  const table = b.build();
  const map: DigestMap = new Map();
  for (let i = 0; i < table.length; i++) map.set(table.uri(i), `sha256:${i.toString(16).padStart(64, '0')}`);
  return { table, map };
}

/** Every segment of every worker, with the actor names as the worker learns them. */
function drain(router: ReplayRouter, workers: number) {
  return Array.from({ length: workers }, (_, w) => {
    const segments: Segment[] = [];
    const names: string[] = [];
    const strings: string[] = [];
    for (;;) {
      const batch = router.nextSegment(w);
      names.push(...batch.actorNames);
      strings.push(...batch.strings);
      if (batch.segment === null) break;
      segments.push(batch.segment);
    }
    return { segments, names, strings };
  });
}

t.test('route: each client is one actor on one worker, its requests in order, cut into segments', async (t) => {
  const { table, map } = trace(3000, 40);
  const router = new ReplayRouter(table, map, OPTIONS);
  t.equal(router.sendable, 3000);
  const shares = drain(router, 3);
  const rowsSeen: number[] = [];
  const home = new Map<string, string>();
  let misplaced = 0;
  let unordered = 0;
  shares.forEach((share, w) => {
    t.equal(
      share.segments.reduce((s, x) => s + x.length, 0),
      router.rowsOf(w),
      `worker ${w}: all its rows`,
    );
    t.ok(
      share.segments.every((s) => s.length <= 100),
      'segments are at most segmentRows long',
    );
    let last = -1;
    for (const s of share.segments) {
      for (let j = 0; j < s.length; j++) {
        const row = s.rowId[j];
        rowsSeen.push(row);
        if (row < last) unordered++;
        last = row;
        const client = table.request(row).client;
        if (share.names[s.actor[j]] !== client) misplaced++;
        const where = `${w}/${s.actor[j]}`;
        if (home.has(client) && home.get(client) !== where) misplaced++;
        home.set(client, where);
      }
    }
  });
  t.equal(misplaced, 0, 'one actor per client, named after it');
  t.equal(unordered, 0, 'rows in trace order');
  t.same(
    rowsSeen.sort((a, b) => a - b),
    Array.from({ length: 3000 }, (_, i) => i),
    'every request exactly once',
  );
  t.equal(new Set(home.values()).size, 40);
  t.ok(
    [0, 1, 2].every((w) => router.rowsOf(w) > 300),
    'clients spread over the workers',
  );
});

t.test('round robin spreads consecutive requests over actors regardless of client', async (t) => {
  const { table, map } = trace(100, 5);
  const router = new ReplayRouter(table, map, { ...OPTIONS, workers: 2, route: false });
  const actorOf = new Map<number, string>();
  drain(router, 2).forEach((share, w) =>
    share.segments.forEach((s) => s.rowId.forEach((row, j) => actorOf.set(row, `${w}/${s.actor[j]}`))),
  );
  const same = Array.from({ length: 99 }, (_, i) => i).filter((i) => actorOf.get(i) === actorOf.get(i + 1));
  t.same(same, [], 'consecutive requests go to different actors');
  t.equal(new Set(actorOf.values()).size, 5, 'as many actors as clients');
});

t.test('reads get their warmed-up digest path, pushes their URI; skips carry their reason', async (t) => {
  const b = new TraceTableBuilder();
  b.addStrings(1e12, Method.GET, 'v2/u/r/blobs/known', 'c', 10, 0.1, 200);
  b.addStrings(1e12 + 1, Method.GET, 'v2/u/r/blobs/unknown', 'c', 10, 0.1, 200);
  b.addStrings(1e12 + 2, Method.GET, 'v2/u/r/blobs/failed', 'c', 10, 0.1, 200);
  b.addStrings(1e12 + 3, Method.PUT, 'v2/u/r/blobs/new', 'c', 10, 0.1, 201);
  const table = b.build();
  const map: DigestMap = new Map<string, DigestEntry>([
    ['v2/u/r/blobs/known', 'sha256:aa'],
    ['v2/u/r/blobs/failed', { failed: 'E_REGISTRY_HTTP: 500' }],
  ]);
  const router = new ReplayRouter(table, map, {
    ...OPTIONS,
    speed: 2,
    registries: 3,
    selection: 'round-robin',
    workers: 1,
  });
  t.same(Array.from(router.kind), [0, -2, -3, -1]);
  t.equal(router.warmupFailures.get(2), 'E_REGISTRY_HTTP: 500');
  const [{ segments, strings }] = drain(router, 1);
  const s = segments[0];
  t.same(Array.from(s.rowId), [0, 3]);
  t.same(Array.from(s.due), [0, 1.5], 'due = offset / speed');
  t.same([strings[s.target[0]], strings[s.target[1]]], ['/v2/u/r/blobs/sha256:aa', 'v2/u/r/blobs/new']);
  t.same(Array.from(s.registry), [0, 0], 'round robin by row: rows 0 and 3 of 3 registries');
  t.equal(strings[s.repo[0]], 'u/r');
});

t.test('repeated URIs resolve once: every row gets its own path, each string goes to a worker once', async (t) => {
  const b = new TraceTableBuilder();
  const uris = ['v2/u/a/blobs/x', 'v2/u/b/blobs/x', 'v2/u/a/manifests/x', 'v2/u/a/blobs/bad', 'v2/u/b/blobs/gone'];
  const puts = ['v2/u/a/blobs/new', 'v2/u/b/blobs/new'];
  const rows: { method: MethodCode; uri: string }[] = [];
  for (let i = 0; i < 60; i++)
    rows.push(
      i % 4 === 3 ? { method: Method.PUT, uri: puts[i % 2] } : { method: Method.GET, uri: uris[i % uris.length] },
    );
  rows.forEach((r, i) => b.addStrings(1e12 + i, r.method, r.uri, `c${i % 3}`, 10, 0.1, 200));
  const table = b.build();
  const digests: Record<string, string> = {
    'v2/u/a/blobs/x': 'sha256:01',
    'v2/u/b/blobs/x': 'sha256:02',
    'v2/u/a/manifests/x': 'sha256:03',
  };
  const map: DigestMap = new Map<string, DigestEntry>([
    ...Object.entries(digests),
    ['v2/u/a/blobs/bad', { failed: 'E_REGISTRY_HTTP: 500' }],
  ]);
  const router = new ReplayRouter(table, map, { ...OPTIONS, workers: 1, segmentRows: 7 });
  const [{ segments, strings }] = drain(router, 1);
  t.equal(new Set(strings).size, strings.length, 'no string sent twice');
  let checked = 0;
  for (const s of segments) {
    for (let j = 0; j < s.length; j++) {
      const uri = table.uri(s.rowId[j]);
      const repo = uri.split('/').slice(1, 3).join('/');
      const expected = digests[uri] === undefined ? uri : `/v2/${repo}/blobs/${digests[uri]}`;
      t.equal(strings[s.target[j]], expected, `row ${s.rowId[j]}`);
      t.equal(strings[s.repo[j]], repo);
      checked++;
    }
  }
  const failed = rows.flatMap((r, i) => (r.uri === 'v2/u/a/blobs/bad' ? [i] : []));
  const gone = rows.filter((r) => r.uri === 'v2/u/b/blobs/gone').length;
  t.equal(checked, rows.length - failed.length - gone, 'every sendable row, in some segment');
  t.same(
    [...router.warmupFailures.keys()].sort((x, y) => x - y),
    failed,
    'every failed row keeps its reason',
  );
  t.ok([...router.warmupFailures.values()].every((v) => v === 'E_REGISTRY_HTTP: 500'));
});

t.test(
  "every row carries its record's user agent, or the one configured, each string sent to a worker once",
  async (t) => {
    const b = new TraceTableBuilder();
    for (let i = 0; i < 400; i++)
      b.addStrings(
        1.5e12 + i,
        Method.GET,
        `v2/u/r/blobs/b${i % 9}`,
        `client-${i % 6}`,
        1000,
        0.1,
        200,
        i % 3 === 0 ? '' : `docker/${i % 4}`,
      );
    const table = b.build();
    const map: DigestMap = new Map();
    for (let i = 0; i < table.length; i++) map.set(table.uri(i), `sha256:${(i % 9).toString(16).padStart(64, '0')}`);
    for (const userAgent of [undefined, 'drtp/9.9.9']) {
      const workers = drain(
        new ReplayRouter(table, map, { ...OPTIONS, workers: 2, ...(userAgent === undefined ? {} : { userAgent }) }),
        2,
      );
      const sent: string[] = [];
      for (const w of workers)
        for (const s of w.segments) for (let j = 0; j < s.length; j++) sent[s.rowId[j]] = w.strings[s.agent[j]];
      t.same(
        sent,
        Array.from({ length: table.length }, (_, i) => userAgent ?? table.request(i).agent),
        userAgent === undefined ? 'traced' : 'configured',
      );
      for (const w of workers) t.equal(new Set(w.strings).size, w.strings.length, 'no string twice to one worker');
    }
  },
);

t.test('a client filter keeps only its clients (sharding)', async (t) => {
  const { table, map } = trace(500, 20);
  const router = new ReplayRouter(table, map, { ...OPTIONS, workers: 1, keep: (c) => c < 'client-5' });
  const clients = new Set(drain(router, 1)[0].names);
  t.ok([...clients].every((c) => c < 'client-5'));
  t.ok(router.sendable > 0 && router.sendable < 500);
});

t.test('a consistent hash ring moves few keys when a node is added', async (t) => {
  const a = new HashRing(4);
  const b = new HashRing(5);
  let moved = 0;
  for (let i = 0; i < 10000; i++) if (a.node(`k${i}`) !== b.node(`k${i}`)) moved++;
  t.ok(moved < 3000, `${moved} of 10000 keys moved (ideal: 2000)`);
  const counts = new Array(4).fill(0);
  for (let i = 0; i < 10000; i++) counts[a.node(`k${i}`)]++;
  t.ok(
    counts.every((c) => c > 1500 && c < 3500),
    `balanced: ${counts.join(', ')}`,
  );
});
