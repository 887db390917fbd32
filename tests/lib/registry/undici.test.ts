import { createRequire } from 'node:module';
import t from 'tap';
import { startLoopback } from '../../../lib/registry/loopback.js';
import { Agent, Client, Pool } from '../../../lib/registry/undici.js';

const loaded = (): string[] => Object.keys(createRequire(import.meta.url).cache).filter((file) => /[\\/]undici[\\/]/.test(file));

t.test("the workers' undici: its dispatchers and request API, without loading the rest of the package", async (t) => {
  const before = loaded();
  t.ok(before.length > 0, 'undici files are loaded');
  t.notOk(
    before.some((file) => /[\\/]undici[\\/]index\.js$/.test(file)),
    "undici's entry module (fetch, WebSocket, caches, mocks) is not loaded",
  );
  t.notOk(
    before.some((file) => /[\\/](fetch|websocket|mock)[\\/]/.test(file)),
    'nor the parts only it loads',
  );

  // The request API, as the entry module puts it on every dispatcher, on each of the three.
  const loopback = await startLoopback();
  const url = new URL(loopback.origin);
  const dispatchers = [new Client(loopback.origin), new Pool(loopback.origin), new Agent()];
  for (const dispatcher of dispatchers) {
    const res = await dispatcher.request({ origin: url.origin, path: '/v2/any/blobs/sha256:0', method: 'GET' });
    t.equal(res.statusCode, 200, `${dispatcher.constructor.name}.request`);
    t.equal(await res.body.text(), 'ok');
  }
  await Promise.all(dispatchers.map((d) => d.close()));
  await loopback.close();

  // The very classes the package exports, not copies: loading the entry later changes nothing.
  const undici = await import('undici');
  t.equal(Client, undici.Client);
  t.equal(Pool, undici.Pool);
  t.equal(Agent, undici.Agent);
});
