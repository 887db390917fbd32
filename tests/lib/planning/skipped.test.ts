import t from 'tap';
import { ReplayRouter, ROUTE } from '../../../lib/planning/router.js';
import { writeSkipped } from '../../../lib/planning/skipped.js';
import { TraceTableBuilder } from '../../../lib/trace/builder.js';
import { Method } from '../../../lib/trace/request.js';
import type { DigestMap } from '../../../lib/registry/digest-map.js';

t.test(
  'every skipped request gets a result row with its reason, counted by reason; warmup failures name their cause',
  async (t) => {
    const b = new TraceTableBuilder();
    b.addStrings(1.5e12, Method.GET, 'v2/u/r/blobs/warmed', 'c1', 10, 0.1, 200);
    b.addStrings(1.5e12 + 1, Method.GET, 'v2/u/r/blobs/missing', 'c1', 10, 0.1, 200);
    b.addStrings(1.5e12 + 2, Method.GET, 'v2/u/r/blobs/broken', 'c2', 10, 0.1, 200);
    b.addStrings(1.5e12 + 3, Method.DELETE, 'v2/u/r/blobs/warmed', 'c2', 10, 0.1, 202);
    const table = b.build();
    const map: DigestMap = new Map<string, string | { failed: string }>([
      ['v2/u/r/blobs/warmed', `sha256:${'a'.repeat(64)}`],
      ['v2/u/r/blobs/broken', { failed: 'E_REGISTRY_HTTP: HTTP 500' }],
    ]);
    const router = new ReplayRouter(table, map, {
      speed: 1,
      registries: 1,
      selection: 'random',
      seed: 1,
      workers: 1,
      route: true,
      segmentRows: 10,
      manifestsAsImages: false,
    });
    t.same(Array.from(router.kind), [0, ROUTE.NOT_WARMED, ROUTE.WARMUP_FAILED, ROUTE.NOT_REPLAYABLE]);
    let written = '';
    const counts = await writeSkipped(router, table, async (rows) => void (written += rows));
    t.same(counts, {
      'not in the warmup map: run drtp warmup first': 1,
      'warmup failed for this URI': 1,
      'not a replayable request': 1,
    });
    const rows = written
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: number; error: string; outcome: string; client: string });
    t.same(
      rows.map((r) => r.id),
      [1, 2, 3],
      'a row per skipped request, by its id',
    );
    t.ok(rows.every((r) => r.outcome === 'skipped'));
    t.match(rows[1].error, /warmup failed for this URI: E_REGISTRY_HTTP: HTTP 500/);
    t.equal(rows[2].client, 'c2');
  },
);
