import t from 'tap';
import { partition } from '../../../lib/schedule/partition.js';
import { buildPlan } from '../../../lib/schedule/plan.js';
import { HashRing } from '../../../lib/schedule/hash-ring.js';
import type { DigestEntry, DigestMap } from '../../../lib/registry/digest-map.js';
import { TraceTableBuilder } from '../../../lib/trace/builder.js';
import { Method } from '../../../lib/trace/request.js';
import { Random } from '../../../lib/trace/random.js';

function trace(n: number, clients: number, seed = 1) {
  const rng = new Random(seed);
  const b = new TraceTableBuilder();
  for (let i = 0; i < n; i++) b.addStrings(1.5e12 + i * 10, Method.GET, `v2/u/r/blobs/b${rng.int(50)}`, `client-${rng.int(clients)}`, 1000, 0.1, 200);
  const table = b.build();
  const map = new Map<string, string>();
  for (let i = 0; i < table.length; i++) map.set(table.uri(i), `sha256:${i.toString(16).padStart(64, '0')}`);
  return { table, plan: buildPlan(table, map, { speed: 1, registries: 1, selection: 'random', seed: 1 }) };
}

t.test('route: all requests of a client land in one actor, in timestamp order', async (t) => {
  const { table, plan } = trace(3000, 40);
  const shares = partition(plan, table.pools.clients, 3, true);
  t.equal(shares.reduce((s, x) => s + x.rows.length, 0), 3000, 'every request is in exactly one share');
  const home = new Map<string, string>();
  let misnamed = 0;
  for (const [w, share] of shares.entries()) {
    let last = -1;
    share.rows.forEach((row, j) => {
      const client = table.pools.clients.get(plan.client[row]);
      const actor = `${w}/${share.actor[j]}`;
      if (home.has(client) && home.get(client) !== actor) t.fail(`${client} in two actors`);
      home.set(client, actor);
      if (share.actorNames[share.actor[j]] !== client) misnamed++;
      if (row < last) t.fail('rows out of order');
      last = row;
    });
  }
  t.equal(misnamed, 0, 'each actor stands for its client');
  t.equal(new Set(home.values()).size, 40, 'one actor per client');
  t.ok(shares.every((s) => s.rows.length > 300), 'clients spread over the workers');
});

t.test('round robin spreads consecutive requests over actors regardless of client', async (t) => {
  const { table, plan } = trace(100, 5);
  const shares = partition(plan, table.pools.clients, 2, false);
  const actorOfRow = new Map<number, string>();
  shares.forEach((s, w) => s.rows.forEach((row, j) => actorOfRow.set(row, `${w}/${s.actor[j]}`)));
  const same = Array.from({ length: 99 }, (_, i) => i).filter((i) => actorOfRow.get(i) === actorOfRow.get(i + 1));
  t.same(same, [], 'consecutive requests go to different actors');
  t.equal(new Set(actorOfRow.values()).size, 5, 'as many actors as clients');
});

t.test('a consistent hash ring moves few keys when a node is added', async (t) => {
  const a = new HashRing(4);
  const b = new HashRing(5);
  let moved = 0;
  for (let i = 0; i < 10000; i++) if (a.node(`k${i}`) !== b.node(`k${i}`)) moved++;
  t.ok(moved < 3000, `${moved} of 10000 keys moved (ideal: 2000)`);
  const counts = new Array(4).fill(0);
  for (let i = 0; i < 10000; i++) counts[a.node(`k${i}`)]++;
  t.ok(counts.every((c) => c > 1500 && c < 3500), `balanced: ${counts.join(', ')}`);
});

t.test('the plan skips reads without a warmed-up digest, with the reason', async (t) => {
  const b = new TraceTableBuilder();
  b.addStrings(1e12, Method.GET, 'v2/u/r/blobs/known', 'c', 10, 0.1, 200);
  b.addStrings(1e12 + 1, Method.GET, 'v2/u/r/blobs/unknown', 'c', 10, 0.1, 200);
  b.addStrings(1e12 + 2, Method.GET, 'v2/u/r/blobs/failed', 'c', 10, 0.1, 200);
  b.addStrings(1e12 + 3, Method.PUT, 'v2/u/r/blobs/new', 'c', 10, 0.1, 201);
  const table = b.build();
  const map: DigestMap = new Map<string, DigestEntry>([['v2/u/r/blobs/known', 'sha256:aa'], ['v2/u/r/blobs/failed', { failed: 'E_REGISTRY_HTTP: 500' }]]);
  const plan = buildPlan(table, map, { speed: 2, registries: 3, selection: 'round-robin', seed: 1 });
  t.same(Array.from(plan.skip), [0, 1, 2, 0]);
  t.equal(plan.warmupFailures.get(2), 'E_REGISTRY_HTTP: 500');
  t.same(Array.from(plan.due), [0, 0.5, 1, 1.5], 'due = offset / speed');
  t.same(Array.from(plan.registry), [0, 0, 0, 0].map((_, i) => (i === 1 || i === 2 ? 0 : i % 3)), 'round robin over registries');
});
