import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RegistryClient } from '../../../lib/registry/client.js';
import { generatedContent } from '../../../lib/registry/content.js';
import { resolveEndpoint } from '../../../lib/registry/endpoint.js';
import { runBin } from '../../helpers/cli.js';
import { FakeTrace, writeTrace } from '../../helpers/fake-trace.js';
import { withRegistry } from '../../helpers/registry.js';

const BAD = [
  'v2/a b/blobs/00000001',
  'v2/u/r\r\nX-Injected: 1/blobs/00000002',
  'v2/u/r/blobs/nul\u0000',
  'v2/u/r/manifests/t\tab',
];

t.test(
  'a trace mixing unsendable URIs with good ones: warmup and run end, the bad ones left out, the rest ok',
  async (t) => {
    const registry = await withRegistry(t);
    const dir = t.testdir();
    const trace = new FakeTrace();
    // With one push in flight (the default), a single bad URI ahead of the good ones hung warmup.
    BAD.forEach((uri, i) => trace.add(i % 2 === 0 ? 'GET' : 'PUT', uri, { client: `c${i}`, atMs: 10 * i }));
    for (let i = 0; i < 6; i++)
      trace.add('GET', `v2/u/r/blobs/good${i}`, { client: `c${i % 3}`, atMs: 100 + 10 * i, size: 2000 + i });
    trace.add('PUT', 'v2/u/r/blobs/pushed', { client: 'c9', atMs: 200, size: 3000 });
    writeTrace(dir, 'trace.json', trace.json());
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      `client_info: {threads: 1, wait: false, timeout_ms: 5000}\ntrace: {traces: [trace.json], output: out/results.ndjson}\nregistry: [${registry.host}]\nwarmup: {output: interm.json}\n`,
    );

    const warmup = await runBin(['warmup', config], { timeoutMs: 60_000 });
    t.notOk(warmup.timedOut, 'warmup ended');
    t.equal(warmup.code, 0, warmup.stderr);
    t.match(warmup.stdout, 'replayable 7; not replayed: 0 other methods, 0 other paths, 4 invalid uri,');
    t.match(
      warmup.stdout,
      '  invalid uri (space, control or non-ASCII character): "v2/u/r\\r\\nX-Injected: 1/blobs/00000002"\n',
      'shown escaped',
    );
    t.notMatch(warmup.stdout + warmup.stderr, /[\u0000\r\t]/, 'no control character printed raw');
    const map = JSON.parse(readFileSync(join(dir, 'interm.json'), 'utf8')) as Record<string, unknown>;
    t.same(
      Object.keys(map).sort(),
      Array.from({ length: 6 }, (_, i) => `v2/u/r/blobs/good${i}`),
    );
    t.ok(
      Object.values(map).every((d) => typeof d === 'string' && d.startsWith('sha256:')),
      'every good URI pushed',
    );

    const run = await runBin(['run', config], { timeoutMs: 60_000 });
    t.notOk(run.timedOut, 'run ended');
    t.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(readFileSync(join(dir, 'out/results.ndjson.summary.json'), 'utf8')) as {
      requests: Record<string, number>;
    };
    t.same(summary.requests, { total: 7, ok: 7, failed: 0, skipped: 0 });
    t.equal(readFileSync(join(dir, 'out/results.ndjson'), 'utf8').trim().split('\n').length, 7, 'a row per request');
  },
);

t.test('a path undici would refuse is refused before it, and the client still serves the next request', async (t) => {
  const registry = await withRegistry(t);
  const client = new RegistryClient(resolveEndpoint(registry.host, '.'), { connections: 1 });
  t.teardown(() => client.close());
  const refused = await client.pushBlob('a b', generatedContent('x', 100, false)).then(
    () => undefined,
    (err: { code?: string; message?: string }) => err,
  );
  t.equal(refused?.code, 'E_INVALID_REQUEST');
  t.match(refused?.message, 'the path has " " at 5');
  // One connection: before, a refused request left the pool serving nothing more.
  const digest = await Promise.race([
    client.pushBlob('u/r', generatedContent('y', 100, false)),
    new Promise((resolve) => setTimeout(() => resolve('hung'), 10_000)),
  ]);
  t.match(digest, /^sha256:[0-9a-f]{64}$/);
});
