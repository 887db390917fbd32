import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeTrace, writeTrace, type TraceRecord } from '../../helpers/fake-trace.js';
import { runCli } from '../../helpers/cli.js';
import { CHROMIUM, chartsOf, renderedDom, screenshot } from '../../helpers/chromium.js';

/** Values computed here independently of lib/analyze, from the records themselves. */
function expected(records: TraceRecord[]) {
  const byMethodKind: Record<string, number> = {};
  for (const r of records) {
    const uri = r['http.request.uri'] as string;
    const kind = /\/blobs\//.test(uri) ? 'blob' : /\/manifests\//.test(uri) ? 'manifest' : 'other';
    const key = `${r['http.request.method']} ${kind}`;
    byMethodKind[key] = (byMethodKind[key] ?? 0) + 1;
  }
  const layerSizes = new Map<string, number>();
  for (const r of records) {
    const m = /\/blobs\/(.+)$/.exec(r['http.request.uri'] as string);
    if (m && !layerSizes.has(m[1]) && (r['http.response.status'] as number) < 400)
      layerSizes.set(m[1], r['http.response.written'] as number);
  }
  return { byMethodKind, layerSizes: [...layerSizes.values()].sort((a, b) => a - b) };
}

t.test('analyze --json: counts, sizes, popularity, pulls and data centers, checked independently', async (t) => {
  const dir = t.testdir();
  const a = new FakeTrace()
    .addPull('u1/app', 'c1', [500_000, 2_000_000, 40_000_000], 0)
    .addPull('u1/app', 'c2', [500_000, 2_000_000, 40_000_000], 5_000)
    .addPull('u2/db', 'c1', [8_000_000], 20_000)
    .add('HEAD', 'v2/u2/db/blobs/x', { atMs: 21_000, size: 157, status: 404 })
    .add('GET', 'v2/u1/app/manifests/missing', { atMs: 22_000, size: 96, status: 404 });
  const b = new FakeTrace()
    .addPush('u3/new', 'c9', [3_000_000], 3_600_000)
    .add('GET', 'v2/u3/new/blobs/p0', { client: 'c1', size: 3_000_000, atMs: 3_700_000 });
  // Files not in timestamp order, in two data centers.
  const fileA = writeTrace(
    dir,
    'prod-dal09-logstash-2017.06.20-0.json',
    `[\n${[...a.records]
      .reverse()
      .map((r) => JSON.stringify(r))
      .join(',\n')}\n]`,
  );
  const fileB = writeTrace(dir, 'prod-fra02-logstash-2017.06.20-0.json', b.json());
  const result = await runCli(['analyze', fileA, fileB, '--json']);
  t.equal(result.code, 0, result.stderr);
  const out = JSON.parse(result.stdout);
  const records = [...a.records, ...b.records];
  const want = expected(records);
  t.equal(out.records, records.length);
  t.equal(out.malformed, 0);
  t.same(out.byMethodKind, want.byMethodKind);
  const statuses: Record<string, number> = {};
  for (const r of records)
    statuses[String(r['http.response.status'])] = (statuses[String(r['http.response.status'])] ?? 0) + 1;
  t.same(out.byStatus, statuses);
  t.equal(
    out.replayable,
    records.filter(
      (r) => ['GET', 'PUT'].includes(r['http.request.method'] as string) && (r['http.response.written'] as number) > 0,
    ).length,
  );
  t.equal(out.sizes.layers.count, want.layerSizes.length);
  t.equal(out.sizes.layers.max, Math.max(...want.layerSizes));
  t.equal(out.sizes.layers.p50, want.layerSizes[Math.ceil(0.5 * want.layerSizes.length) - 1]);
  t.equal(out.sizes.layers.under1MB, want.layerSizes.filter((s) => s < 1e6).length / want.layerSizes.length);
  t.equal(out.sizes.layers.under10MB, want.layerSizes.filter((s) => s < 1e7).length / want.layerSizes.length);
  // Layer GETs: the u1/app layers twice each, u2/db once, u3/new once: 8 requests over 5 layers.
  t.match(out.popularity.layers, { distinct: 5, requests: 8, top1pct: 2 / 8 });
  const getClients = new Set(
    records
      .filter(
        (r) => r['http.request.method'] === 'GET' && /\/(blobs|manifests)\//.test(r['http.request.uri'] as string),
      )
      .map((r) => r['http.request.remoteaddr']),
  );
  t.match(out.popularity.clients, { distinct: getClients.size });
  // Three successful manifest GETs, each followed by its first layer 100 ms later.
  t.same(out.pulls.followedWithin, { '1s': 1, '10s': 1, '60s': 1 });
  t.equal(out.pulls.manifestGets, 3);
  t.ok(Math.abs(out.pulls.delayMs.p50 - 100) < 0.2, `pull delay ${out.pulls.delayMs.p50}`);
  t.match(out.pulls, { pushedLayers: 1, pulledAfterPush: 1, pullersPerPulledLayer: 1 });
  const put = b.records.find(
    (r) => r['http.request.method'] === 'PUT' && /\/blobs\//.test(r['http.request.uri'] as string),
  );
  const pullDelay = Date.parse(b.records.at(-1)?.timestamp as string) - Date.parse(put?.timestamp as string);
  t.ok(
    Math.abs(out.pulls.pushToPullMs.p50 - pullDelay) <= pullDelay * 1e-3,
    `first pull ${out.pulls.pushToPullMs.p50} ms after the push (${pullDelay})`,
  );
  t.same(Object.keys(out.dataCenters), ['dal09', 'fra02']);
  t.equal(out.dataCenters.dal09.records, a.records.length);
  t.equal(out.dataCenters.fra02.records, b.records.length);
  t.equal(out.time.perHour.length, 2);
  t.same(
    out.time.perHour.map((h: { requests: number }) => h.requests),
    [a.records.length, b.records.length],
  );
  for (const key of [
    'records',
    'replayable',
    'malformed',
    'byMethodKind',
    'byStatus',
    'sizes',
    'popularity',
    'time',
    'pulls',
    'responseTime',
    'dataCenters',
  ])
    t.ok(key in out, key);
  const again = await runCli(['analyze', fileA, fileB, '--json', '--workers', '1']);
  t.same(JSON.parse(again.stdout), out, 'the same on one worker');
});

t.test('malformed records are counted, not fatal, unless --strict', async (t) => {
  const dir = t.testdir();
  const good = new FakeTrace().add('GET', 'v2/u/r/blobs/a', { atMs: 0 });
  const file = writeTrace(
    dir,
    'prod-dal09-x.json',
    good
      .json()
      .replace(
        /\n\]\n$/,
        ',\n  {"timestamp": "not a time", "http.request.method": "GET", "http.request.uri": "v2/u/r/blobs/b", "http.response.written": 5}\n]\n',
      ),
  );
  const lenient = await runCli(['analyze', file, '--json']);
  t.equal(lenient.code, 0);
  t.match(JSON.parse(lenient.stdout), {
    records: 1,
    malformed: 1,
    malformedExamples: [/unparsable timestamp "not a time"$/],
  });
  const strict = await runCli(['analyze', file, '--strict']);
  t.equal(strict.code, 2);
  t.match(strict.stderr, /E_TRACE_PARSE: .*prod-dal09-x\.json:\d+: unparsable timestamp/);
});

t.test('the HTML report is one self-contained file with a chart per section, and renders in Chromium', async (t) => {
  const dir = t.testdir();
  const sample = join(import.meta.dirname, '../../../examples/traces/prod-dal09-logstash-2017.06.20-0.json');
  const html = join(dir, 'report.html');
  t.equal((await runCli(['analyze', sample, '--html', html])).code, 0);
  const text = readFileSync(html, 'utf8');
  t.equal((text.match(/<section>/g) ?? []).length, 4);
  t.equal((text.match(/<svg /g) ?? []).length, 4, 'one chart per section');
  t.notMatch(text, /<script|<link|src=|href=/, 'nothing fetched at view time');
  t.ok(CHROMIUM !== undefined, 'chromium is installed (.ci/run installs it)');
  if (CHROMIUM === undefined) return;
  const charts = chartsOf(renderedDom(html, dir));
  t.same(
    charts.map((c) => c.title),
    [
      'Size CDF of distinct layers and manifests',
      'GETs per layer by popularity rank',
      'Requests per second',
      'Pull delay CDF (within 60 s)',
    ],
    'Chromium lays out every chart',
  );
  t.ok(
    charts.every((c) => c.points > 0),
    'each with a line',
  );
  t.ok(
    charts[0].ticks.some((l) => /^\d+(\.\d+)? [kMG]?B$/.test(l)),
    `sizes read as bytes: ${charts[0].ticks.join(', ')}`,
  );
  t.ok(
    charts.every((c) => c.ticks.every((l) => !/\de[+-]\d/.test(l))),
    'no exponent notation',
  );
  t.ok(screenshot(html, join(dir, 'report.png'), dir) > 2000, 'the screenshot is not blank');
});
