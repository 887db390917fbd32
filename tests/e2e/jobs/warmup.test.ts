import t from 'tap';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runWarmup } from '../../../actors/warmup-master.js';
import { RegistryClient } from '../../../lib/registry/client.js';
import { digestOf, generatedContent } from '../../../lib/registry/content.js';
import { layerArchive } from '../../../lib/registry/layer-archive.js';
import { readDigestMap } from '../../../lib/registry/digest-map.js';
import { resolveEndpoint } from '../../../lib/registry/endpoint.js';
import { warmupItems } from '../../../lib/registry/warmup-plan.js';
import { loadTrace } from '../../../lib/trace/load.js';
import { selectRequests } from '../../../lib/trace/select.js';
import { writeSynthTrace } from '../../../lib/trace/synth-files.js';
import { FakeTrace, writeTrace } from '../../helpers/fake-trace.js';
import { runCli } from '../../helpers/cli.js';
import { withRegistry } from '../../helpers/registry.js';

function config(dir: string, registries: string[], extra = ''): string {
  const path = join(dir, 'config.yaml');
  writeFileSync(
    path,
    `trace:\n  location: traces\n  traces: [prod-dal09-logstash-2017.06.20-0.json]\nregistry: [${registries.join(', ')}]\nwarmup:\n  output: interm.json\n  threads: 6\n${extra}`,
  );
  return path;
}

t.test('drtp warmup pushes every GET of the trace once, records digests, and a re-run pushes nothing', async (t) => {
  const dir = t.testdir();
  await writeSynthTrace(join(dir, 'traces'), { requests: 400, seed: 21, maxLayerBytes: 2_000_000 });
  const registry = await withRegistry(t);
  const path = config(dir, [registry.host], '  random: true\n');
  const first = await runCli(['warmup', path]);
  t.equal(first.code, 0, first.stderr);

  const { table } = await loadTrace([join(dir, 'traces/prod-dal09-logstash-2017.06.20-0.json')]);
  const items = warmupItems(selectRequests(table).table);
  t.match(first.stdout, `warmup: ${items.length} pushed`);
  const map = await readDigestMap(join(dir, 'interm.json'));
  t.same([...map.keys()].sort(), items.map((i) => i.uri).sort(), 'one entry per distinct GET URI');
  const client = new RegistryClient(resolveEndpoint(registry.host, dir));
  t.teardown(() => client.close());
  for (const item of items.filter((_, i) => i % 10 === 0)) {
    const digest = map.get(item.uri) as string;
    t.equal(
      digest,
      digestOf(generatedContent(item.uri, item.size, true)),
      `${item.uri}: the digest of its generated content`,
    );
    t.equal(
      (await client.pullBlob(item.repo, digest, true)).bytes,
      item.size,
      `${item.uri}: pulls back at the traced size`,
    );
  }
  const json = JSON.parse(readFileSync(join(dir, 'interm.json'), 'utf8')) as Record<string, unknown>;
  t.ok(
    Object.values(json).every((v) => typeof v === 'string' && /^sha256:[0-9a-f]{64}$/.test(v)),
    "the original's interm.json shape",
  );

  const second = await runCli(['warmup', path]);
  t.equal(second.code, 0);
  t.match(second.stdout, `warmup: 0 pushed (0 B), ${items.length} already present, 0 failed`);
});

t.test('an interrupted warmup leaves a valid map of what was pushed, and the next one resumes', async (t) => {
  const dir = t.testdir();
  const registry = await withRegistry(t);
  const items = Array.from({ length: 60 }, (_, i) => ({
    uri: `v2/resume/test/blobs/b${i}`,
    repo: 'resume/test',
    size: 20_000 + i,
  }));
  const output = join(dir, 'interm.json');
  const controller = new AbortController();
  const endpoint = resolveEndpoint(registry.host, dir);
  const first = await runWarmup({
    registries: [endpoint],
    items,
    map: new Map(),
    output,
    threads: 2,
    random: false,
    signal: controller.signal,
    onReport: (_r, done) => done === 10 && controller.abort(),
  });
  t.equal(first.stopped, true);
  const partial = await readDigestMap(output);
  const done = partial.size;
  t.ok(done >= 10 && done < 60, `the map holds what was done (${done})`);
  t.equal(first.pushed, done);

  const second = await runWarmup({ registries: [endpoint], items, map: partial, output, threads: 4, random: false });
  t.equal(second.present, done, 'what was pushed is found with HEAD');
  t.equal(second.pushed, 60 - done, 'only the rest is pushed');
  t.equal((await readDigestMap(output)).size, 60);
});

t.test('warmup.registries: all pushes to every registry; a rejected push is recorded with its reason', async (t) => {
  const dir = t.testdir();
  const [a, b] = [await withRegistry(t), await withRegistry(t)];
  const trace = new FakeTrace()
    .addPull('ok/repo', 'c1', [3000, 5000], 0)
    .add('GET', 'v2/NOT_VALID/repo/blobs/x', { atMs: 2000, size: 100 });
  mkdirSync(join(dir, 'traces'));
  writeTrace(join(dir, 'traces'), 'prod-dal09-logstash-2017.06.20-0.json', trace.json());
  const result = await runCli(['warmup', config(dir, [a.host, b.host], '  registries: all\n')]);
  t.equal(result.code, 3, 'exit 3: some pushes failed');
  t.match(result.stdout, 'warmup: 6 pushed');
  t.match(result.stdout, /2 failed/, 'one failure per registry');
  const map = await readDigestMap(join(dir, 'interm.json'));
  t.match(map.get('v2/NOT_VALID/repo/blobs/x'), {
    failed: /^E_REGISTRY_HTTP: POST .*\/v2\/NOT_VALID\/repo\/blobs\/uploads\/: HTTP 404/,
  });
  for (const registry of [a, b]) {
    const client = new RegistryClient(resolveEndpoint(registry.host, dir));
    t.teardown(() => client.close());
    t.ok(
      await client.hasBlob('ok/repo', map.get('v2/ok/repo/blobs/l0okrepo') as string),
      `${registry.host} has the layer`,
    );
  }
});

t.test('a 1 GiB blob is pushed with bounded memory', async (t) => {
  const registry = await withRegistry(t);
  const client = new RegistryClient(resolveEndpoint(registry.host, '/'));
  t.teardown(() => client.close());
  const size = 1024 ** 3;
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const content = generatedContent('v2/big/blob/blobs/one-gib', size, false);
  const digest = await client.pushBlob('big/blob', content);
  clearInterval(sampler);
  t.equal(digest, digestOf(content));
  t.ok(peak - before < 100e6, `RSS grew ${((peak - before) / 1e6).toFixed(1)} MB while pushing 1 GiB`);
  t.ok(await client.hasBlob('big/blob', digest));
});

t.test('a 1 GiB layer archive is pushed with flat memory', async (t) => {
  const registry = await withRegistry(t);
  const client = new RegistryClient(resolveEndpoint(registry.host, '/'));
  t.teardown(() => client.close());
  const archive = layerArchive('v2/big/image/blobs/one-gib', 1024 ** 3);
  if (archive === null) {
    t.fail('no archive');
    return;
  }
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const digest = await client.pushBlob('big/image', archive);
  clearInterval(sampler);
  t.equal(digest, digestOf(archive));
  t.ok(peak - before < 100e6, `RSS grew ${((peak - before) / 1e6).toFixed(1)} MB while pushing a 1 GiB archive`);
  t.match(archive.diffId(), /^sha256:[0-9a-f]{64}$/);
});

t.test(
  'warmup.manifests: image pushes OCI manifests over the repo layers, padded to the traced size; run reads them as manifests',
  async (t) => {
    const dir = t.testdir();
    const registry = await withRegistry(t);
    const trace = new FakeTrace()
      .addPull('img/repo', 'c1', [3000, 5000], 0)
      .addPull('img/repo', 'c2', [3000, 5000], 5000);
    mkdirSync(join(dir, 'traces'));
    writeTrace(join(dir, 'traces'), 'prod-dal09-logstash-2017.06.20-0.json', trace.json());
    const path = config(dir, [registry.host], '  manifests: image\n');
    writeFileSync(path, readFileSync(path, 'utf8').replace('  traces: [prod', '  output: out.ndjson\n  traces: [prod'));
    const warm = await runCli(['warmup', path]);
    t.equal(warm.code, 0, warm.stderr + warm.stdout);
    const map = await readDigestMap(join(dir, 'interm.json'));
    const client = new RegistryClient(resolveEndpoint(registry.host, dir));
    t.teardown(() => client.close());
    const manifest = await client.pullManifest('img/repo', 'latest', ['application/vnd.oci.image.manifest.v1+json']);
    t.equal(manifest.body.length, 900, 'padded to the traced size (500 + 200 a layer)');
    const parsed = JSON.parse(manifest.body.toString()) as { layers: { digest: string; size: number }[] };
    t.same(
      parsed.layers.map((l) => l.digest).sort(),
      [map.get('v2/img/repo/blobs/l0imgrepo'), map.get('v2/img/repo/blobs/l1imgrepo')].sort(),
      'over the warmed layers',
    );
    t.match(map.get('v2/img/repo/manifests/latest'), /^sha256:/);
    const run = await runCli(['run', path]);
    t.equal(run.code, 0, run.stderr);
    const rows = readFileSync(join(dir, 'out.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { class: string; size: number; outcome: string });
    const manifests = rows.filter((r) => r.class === 'GET manifest');
    t.equal(manifests.length, 2);
    t.ok(
      manifests.every((r) => r.outcome === 'ok' && r.size === 900),
      'manifest GETs served by the manifest path at the traced size',
    );
  },
);
