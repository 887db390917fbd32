import { createRequire } from 'node:module';
import t from 'tap';
import { startLoopback } from '../../../lib/registry/loopback.js';
import { createSecureServer } from 'node:http2';
import { Agent, Client, Pool, buildConnector } from '../../../lib/registry/undici.js';
import { dial } from '../../../lib/registry/dial.js';
import { selfSigned } from '../../helpers/pki.js';

const loaded = (): string[] =>
  Object.keys(createRequire(import.meta.url).cache).filter((file) => /[\\/]undici[\\/]/.test(file));

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
  t.equal(buildConnector, undici.buildConnector);
});

/** What a read handler sees, call by call, in the original handler interface drtp's reads implement. */
async function legacyCalls(client: Client, path: string): Promise<string[]> {
  const calls: string[] = [];
  await new Promise<void>((resolve, reject) => {
    client.dispatch({ method: 'GET', path }, {
      onConnect: (abort: unknown) => void calls.push(`connect ${typeof abort}`),
      onHeaders: (status: number, raw: unknown[]) => {
        calls.push(`headers ${status} ${raw.length > 0 && raw.every((h) => Buffer.isBuffer(h)) ? 'buffers' : 'other'}`);
        return true;
      },
      onData: (chunk: unknown) => {
        calls.push(`data ${Buffer.isBuffer(chunk) ? 'buffer' : 'other'}`);
        return true;
      },
      onComplete: () => {
        calls.push('complete');
        resolve();
      },
      onError: reject,
    } as never);
  });
  return [...new Set(calls)];
}

// drtp's read path (lib/registry/http-port.ts) uses undici's original handler interface and its internals
// (lib/registry/undici.ts): undici is pinned exactly, and this fails on an upgrade that changes either.
t.test('the original handler interface, as the read path uses it, over HTTP/1.1 and HTTP/2', async (t) => {
  const loopback = await startLoopback();
  const h1 = new Client(loopback.origin);
  t.same(await legacyCalls(h1, '/v2/any/blobs/sha256:0'), [
    'connect function',
    'headers 200 buffers',
    'data buffer',
    'complete',
  ]);
  await h1.close();
  await loopback.close();
  const pki = selfSigned(t.testdir(), 'server');
  const server = createSecureServer({ cert: pki.certPem, key: pki.keyPem }, (_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise((resolve) => server.close(resolve)));
  const origin = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
  const h2 = dial(
    { name: origin, origin, tls: { ca: pki.certPem }, version: 'h2' },
    { connectTimeoutMs: 5000, headersTimeoutMs: 5000, bodyTimeoutMs: 5000, streams: 2 },
  );
  t.same(await legacyCalls(h2, '/'), ['connect function', 'headers 200 buffers', 'data buffer', 'complete']);
  await h2.close();
});
