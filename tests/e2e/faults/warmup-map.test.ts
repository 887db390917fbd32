import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { FakeTrace, writeTrace } from '../../helpers/fake-trace.js';
import { withRegistry } from '../../helpers/registry.js';

/** A loopback port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

t.test('a warmup against a dead registry keeps the digests an earlier warmup recorded', async (t) => {
  const registry = await withRegistry(t);
  const dir = t.testdir();
  const trace = new FakeTrace();
  for (let i = 0; i < 5; i++) trace.add('GET', `v2/u/r/blobs/layer${i}`, { atMs: 10 * i, size: 1000 + i });
  writeTrace(dir, 'a.json', trace.json());
  writeTrace(dir, 'b.json', new FakeTrace().add('GET', 'v2/u/r/blobs/new', { atMs: 100 }).json());
  const config = (name: string, host: string, traces: string): string => {
    const path = join(dir, name);
    writeFileSync(
      path,
      `client_info: {timeout_ms: 2000}\ntrace: {traces: [${traces}]}\nregistry: [${host}]\nwarmup: {output: interm.json}\n`,
    );
    return path;
  };
  const good = await runCli(['warmup', config('good.yaml', registry.host, 'a.json')]);
  t.equal(good.code, 0, good.stderr);
  const before = JSON.parse(readFileSync(join(dir, 'interm.json'), 'utf8')) as Record<string, string>;
  t.equal(Object.keys(before).length, 5);

  const dead = await runCli(['warmup', config('dead.yaml', `127.0.0.1:${await deadPort()}`, 'a.json, b.json')]);
  t.equal(dead.code, 3, 'the failures are still reported');
  t.match(dead.stdout, '6 failed');
  t.match(dead.stdout, 'warmup: 5 of the failed keep the digest an earlier warmup recorded\n');
  t.match(dead.stdout, /failed: v2\/u\/r\/blobs\/layer0: E_REGISTRY_CONNECT: .* \(the map keeps sha256:[0-9a-f]{64}\)/);
  const after = JSON.parse(readFileSync(join(dir, 'interm.json'), 'utf8')) as Record<string, unknown>;
  for (const [uri, digest] of Object.entries(before)) t.equal(after[uri], digest, `${uri} keeps its digest`);
  t.match(
    after['v2/u/r/blobs/new'],
    { failed: /^E_REGISTRY_CONNECT: / },
    'a URI without an earlier digest is recorded as failed',
  );

  const again = await runCli(['warmup', config('again.yaml', registry.host, 'a.json, b.json')]);
  t.equal(again.code, 0, again.stderr);
  t.match(again.stdout, '1 pushed (1.0 KB), 5 already present, 0 failed');
});
