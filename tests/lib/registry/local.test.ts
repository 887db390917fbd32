import t from 'tap';
import { createHash } from 'node:crypto';
import { request } from 'undici';
import { withRegistry } from '../../helpers/registry.js';

t.test('a local registry accepts a pushed blob and serves it back byte for byte', async (t) => {
  const registry = await withRegistry(t);
  t.match(registry.host, /^127\.0\.0\.1:\d+$/, 'listens on loopback only');
  const blob = Buffer.from(`drtp smoke test ${process.pid} ${Date.now()}`);
  const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;

  const start = await request(`${registry.url}/v2/smoke/test/blobs/uploads/`, { method: 'POST' });
  await start.body.dump();
  t.equal(start.statusCode, 202, 'upload session opened');
  const location = new URL(String(start.headers.location), registry.url);
  location.searchParams.set('digest', digest);
  const put = await request(location, {
    method: 'PUT',
    body: blob,
    headers: { 'content-type': 'application/octet-stream' },
  });
  await put.body.dump();
  t.equal(put.statusCode, 201, 'upload committed');

  const get = await request(`${registry.url}/v2/smoke/test/blobs/${digest}`);
  t.equal(get.statusCode, 200);
  t.same(Buffer.from(await get.body.arrayBuffer()), blob, 'same bytes back');

  const missing = await request(`${registry.url}/v2/smoke/test/blobs/sha256:${'0'.repeat(64)}`);
  await missing.body.dump();
  t.equal(missing.statusCode, 404, 'an unknown blob is a 404');
});

t.test('stop() ends the registry process and removes its storage', async (t) => {
  const { startLocalRegistry } = await import('../../../lib/registry/local.js');
  const { existsSync } = await import('node:fs');
  const registry = await startLocalRegistry();
  await registry.stop();
  t.throws(() => process.kill(registry.pid, 0), 'the process is gone');
  t.notOk(existsSync(registry.root), 'storage removed');
});
