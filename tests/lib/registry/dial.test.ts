import t, { type Test } from 'tap';
import { createServer as createHttpsServer } from 'node:https';
import { createSecureServer } from 'node:http2';
import type { Server } from 'node:net';
import { dial } from '../../../lib/registry/dial.js';
import { selfSigned } from '../../helpers/pki.js';

/** A TLS server that answers after 100 ms and counts the requests it holds at once, and the connections. */
async function slowServer(
  t: Test,
  h2: boolean,
): Promise<{ origin: string; ca: string; most: () => number; connections: () => number }> {
  const pki = selfSigned(t.testdir(), 'server');
  let now = 0;
  let most = 0;
  let connections = 0;
  const answer = (_req: unknown, res: { end(body: string): void }): void => {
    most = Math.max(most, ++now);
    setTimeout(() => {
      now--;
      res.end('ok');
    }, 100);
  };
  const server: Server = h2
    ? createSecureServer({ cert: pki.certPem, key: pki.keyPem }, answer)
    : createHttpsServer({ cert: pki.certPem, key: pki.keyPem }, answer);
  server.on('secureConnection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise((resolve) => server.close(resolve)));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const origin = `https://127.0.0.1:${address.port}`;
  return { origin, ca: pki.certPem, most: () => most, connections: () => connections };
}

const OPTIONS = { connectTimeoutMs: 5000, headersTimeoutMs: 5000, bodyTimeoutMs: 5000, streams: 4 };

async function fourAtOnce(
  t: Test,
  h2Server: boolean,
): Promise<{ most: number; connections: number; pipelining: number }> {
  const server = await slowServer(t, h2Server);
  const client = dial({ name: server.origin, origin: server.origin, tls: { ca: server.ca }, version: 'h2' }, OPTIONS);
  t.teardown(() => client.close());
  const bodies = await Promise.all(
    Array.from({ length: 4 }, async () => (await client.request({ method: 'GET', path: '/' })).body.text()),
  );
  t.same(bodies, ['ok', 'ok', 'ok', 'ok']);
  return { most: server.most(), connections: server.connections(), pipelining: client.pipelining };
}

t.test('an HTTP/2 connection carries its requests in flight as streams', async (t) => {
  t.same(await fourAtOnce(t, true), { most: 4, connections: 1, pipelining: 4 });
});

t.test(
  'a registry that answers the h2 offer in HTTP/1.1 gets one request at a time on the connection, never pipelined',
  async (t) => {
    t.same(await fourAtOnce(t, false), { most: 1, connections: 1, pipelining: 1 });
  },
);
