import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { writeSynthTrace } from '../../../lib/trace/synth-files.js';
import type { TraceRecord } from '../../helpers/fake-trace.js';

const FIELDS = [
  'host',
  'http.request.duration',
  'http.request.method',
  'http.request.remoteaddr',
  'http.request.uri',
  'http.request.useragent',
  'http.response.status',
  'http.response.written',
  'id',
  'timestamp',
];

t.test('synth is byte-identical for the same arguments and differs for another seed', async (t) => {
  const dir = t.testdir();
  const a = await writeSynthTrace(join(dir, 'a'), { requests: 3000, seed: 9, files: 3, gzip: true });
  const b = await writeSynthTrace(join(dir, 'b'), { requests: 3000, seed: 9, files: 3, gzip: true });
  const c = await writeSynthTrace(join(dir, 'c'), { requests: 3000, seed: 10, files: 3, gzip: true });
  t.same(
    a.map((p) => p.split('/').pop()),
    [
      'prod-dal09-logstash-2017.06.20-0.json.gz',
      'prod-dal09-logstash-2017.06.20-1.json.gz',
      'prod-dal09-logstash-2017.06.20-2.json.gz',
    ],
  );
  a.forEach((p, i) => t.ok(readFileSync(p).equals(readFileSync(b[i])), `file ${i} identical`));
  t.notOk(readFileSync(a[0]).equals(readFileSync(c[0])), 'another seed, another trace');
});

t.test('synth writes IBM-format records with the paper-like workload shape', async (t) => {
  const dir = t.testdir();
  const files = await writeSynthTrace(dir, { requests: 6000, seed: 3, files: 2 });
  const records = files.flatMap((f) => JSON.parse(readFileSync(f, 'utf8')) as TraceRecord[]);
  t.equal(records.length, 6000, 'exactly the requested number of records');
  for (const r of records.slice(0, 200)) t.same(Object.keys(r), FIELDS);
  t.ok(
    records.every((r) =>
      /^v2\/([0-9a-f]{8}\/[0-9a-f]{8}\/(blobs|manifests)\/[0-9a-f]{8}|)$/.test(r['http.request.uri'] as string),
    ),
    'URI shape',
  );
  t.ok(
    records.every((r) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(r.timestamp as string)),
    'ISO timestamps with milliseconds',
  );
  t.ok(
    records.every((r) => /^[0-9a-f]{8}$/.test(r['http.request.remoteaddr'] as string)),
    '8-hex clients',
  );

  const times = records.map((r) => Date.parse(r.timestamp as string));
  t.ok(
    times.some((x, i) => i > 0 && x < times[i - 1]),
    'not in timestamp order, like the real files',
  );
  const lastOfFirst = Math.max(...times.slice(0, 3000));
  const firstOfSecond = Math.min(...times.slice(3000));
  t.ok(lastOfFirst - firstOfSecond < 60000, 'files are consecutive in time');

  const gets = records.filter((r) => r['http.request.method'] === 'GET').length;
  t.ok(gets / records.length > 0.8, `GETs dominate (${((100 * gets) / records.length).toFixed(1)}%)`);
  const failures = records.filter((r) => (r['http.response.status'] as number) >= 400).length;
  t.ok(failures > 0 && failures < records.length * 0.1, `some requests fail (${failures})`);

  const layers = new Map<string, number>();
  for (const r of records)
    if (/\/blobs\//.test(r['http.request.uri'] as string))
      layers.set(r['http.request.uri'] as string, r['http.response.written'] as number);
  const sizes = [...layers.values()];
  const under1MB = sizes.filter((s) => s < 1e6).length / sizes.length;
  t.ok(under1MB > 0.45 && under1MB < 0.8, `most layers under 1 MB (${(under1MB * 100).toFixed(0)}%)`);
  t.ok(Math.max(...sizes) > 50e6, 'a heavy tail of large layers');
  // The tiny layers of the 2017 registries: Docker's 32-byte empty layer, one id across repositories, and layers under 1 KB.
  const empty = [...layers].filter(([, size]) => size === 32).map(([uri]) => uri.slice(uri.lastIndexOf('/') + 1));
  t.ok(empty.length / sizes.length > 0.02, `32-byte empty layers (${empty.length} of ${sizes.length} layer URIs)`);
  t.ok(new Set(empty).size <= 2, 'the empty layer has one id, as its digest was one');
  const tiny = sizes.filter((s) => s < 1024);
  const under130 = tiny.filter((s) => s < 130).length / sizes.length;
  t.ok(
    under130 > 0.03 && under130 < 0.15,
    `layers under 130 bytes, as in a real-shaped trace (${(under130 * 100).toFixed(1)}%)`,
  );
  t.ok(
    tiny.filter((s) => s !== 32).length > 0 && Math.min(...sizes) >= 29,
    'other layers under 1 KB, none under 29 bytes',
  );

  // A manifest GET is followed within seconds by layer GETs of the same repo from the same client.
  const sorted = records.map((r, i) => ({ r, time: times[i] })).sort((x, y) => x.time - y.time);
  let pulls = 0;
  let followed = 0;
  sorted.forEach(({ r, time }, i) => {
    const m = /^v2\/(.+)\/manifests\//.exec(r['http.request.uri'] as string);
    if (r['http.request.method'] !== 'GET' || m === null || r['http.response.status'] !== 200) return;
    pulls++;
    for (let j = i + 1; j < sorted.length && sorted[j].time - time < 10000; j++) {
      const o = sorted[j].r;
      if (
        o['http.request.remoteaddr'] === r['http.request.remoteaddr'] &&
        (o['http.request.uri'] as string).startsWith(`v2/${m[1]}/blobs/`)
      ) {
        followed++;
        break;
      }
    }
  });
  t.ok(followed / pulls > 0.2, `pulls fetch layers after the manifest (${followed}/${pulls})`);

  // Popularity: the top 10% of repositories get most pulls.
  const perRepo = new Map<string, number>();
  for (const r of records) {
    const m = /^v2\/(.+)\/manifests\//.exec(r['http.request.uri'] as string);
    if (m && r['http.request.method'] === 'GET') perRepo.set(m[1], (perRepo.get(m[1]) ?? 0) + 1);
  }
  const counts = [...perRepo.values()].sort((x, y) => y - x);
  const top = counts.slice(0, Math.ceil(counts.length / 10)).reduce((x, y) => x + y, 0);
  t.ok(top / counts.reduce((x, y) => x + y, 0) > 0.35, 'skewed repository popularity');
});

t.test('--max-layer-size caps layer sizes; --gzip output is valid gzip of the same JSON', async (t) => {
  const dir = t.testdir();
  const [plain] = await writeSynthTrace(join(dir, 'p'), { requests: 1000, seed: 4, maxLayerBytes: 1_000_000 });
  const [gz] = await writeSynthTrace(join(dir, 'g'), { requests: 1000, seed: 4, maxLayerBytes: 1_000_000, gzip: true });
  t.ok(gunzipSync(readFileSync(gz)).equals(readFileSync(plain)));
  const records = JSON.parse(readFileSync(plain, 'utf8')) as TraceRecord[];
  t.ok(records.every((r) => (r['http.response.written'] as number) <= 1_000_000));
});

t.test(
  "fleet pulls make the real traces' bursts: dozens of clients GET one manifest in the same millisecond",
  async (t) => {
    const dir = t.testdir();
    const [file] = await writeSynthTrace(dir, { requests: 6000, seed: 5, rate: 200 });
    const records = JSON.parse(readFileSync(file, 'utf8')) as TraceRecord[];
    const manifestGets = new Map<string, Set<string>>();
    for (const r of records) {
      if (r['http.request.method'] !== 'GET' || !(r['http.request.uri'] as string).includes('/manifests/')) continue;
      const key = `${r.timestamp as string} ${r['http.request.uri'] as string}`;
      const clients = manifestGets.get(key) ?? new Set<string>();
      clients.add(r['http.request.remoteaddr'] as string);
      manifestGets.set(key, clients);
    }
    const bursts = [...manifestGets.values()].filter((clients) => clients.size >= 10);
    t.ok(bursts.length >= 3, `${bursts.length} milliseconds in which 10 or more clients GET the same manifest`);
    t.ok(
      bursts.every((clients) => clients.size <= 60),
      'a fleet is at most 60 clients',
    );
    const perSecond = new Map<number, number>();
    for (const r of records) {
      const s = Math.floor(Date.parse(r.timestamp as string) / 1000);
      perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
    }
    const mean = records.length / perSecond.size;
    t.ok(
      mean > 100 && mean < 400,
      `a few hundred requests a second between the bursts at --rate 200 (${mean.toFixed(0)} in the seconds that have any)`,
    );
  },
);
