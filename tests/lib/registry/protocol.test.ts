import t, { type Test } from 'tap';
import { createServer as createHttpsServer } from 'node:https';
import { createSecureServer } from 'node:http2';
import type { Server } from 'node:net';
import { chooseVersion, negotiateVersion } from '../../../lib/registry/protocol.js';
import { freePort } from '../../../lib/registry/local.js';
import { selfSigned } from '../../helpers/pki.js';

async function listening(t: Test, server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise((resolve) => server.close(resolve)));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return `https://127.0.0.1:${address.port}`;
}

t.test('the version each setting gives, from what the registry offers', async (t) => {
  t.equal(chooseVersion('auto', 'h2', 'r'), 'h2');
  t.equal(chooseVersion('auto', 'http/1.1', 'r'), 'h1');
  t.equal(chooseVersion('auto', undefined, 'r'), 'h1', 'plain HTTP: HTTP/1.1, as Go clients');
  t.equal(chooseVersion('h1', 'h2', 'r'), 'h1');
  t.equal(chooseVersion('h2', 'h2', 'r'), 'h2');
  t.throws(() => chooseVersion('h2', 'http/1.1', 'https://r'), {
    code: 'E_REGISTRY_PROTOCOL',
    message: /registry https:\/\/r did not offer h2 by ALPN/,
  });
  t.throws(() => chooseVersion('h2', undefined, 'http://r'), {
    code: 'E_CONFIG',
    message: /registry http:\/\/r is plain HTTP/,
  });
});

t.test(
  'over TLS the version is settled by ALPN: h2 where offered, HTTP/1.1 where not; a failed handshake is a registry error',
  async (t) => {
    const pki = selfSigned(t.testdir(), 'server');
    const tls = { ca: pki.certPem };
    const h2 = await listening(t, createSecureServer({ cert: pki.certPem, key: pki.keyPem, allowHTTP1: true }));
    const h1 = await listening(t, createHttpsServer({ cert: pki.certPem, key: pki.keyPem }));
    t.equal(await negotiateVersion({ name: h2, origin: h2, tls }, 'auto', 5000), 'h2');
    t.equal(await negotiateVersion({ name: h2, origin: h2, tls }, 'h1', 5000), 'h1');
    t.equal(await negotiateVersion({ name: h1, origin: h1, tls }, 'auto', 5000), 'h1');
    await t.rejects(negotiateVersion({ name: h1, origin: h1, tls }, 'h2', 5000), { code: 'E_REGISTRY_PROTOCOL' });
    await t.rejects(
      negotiateVersion({ name: h2, origin: h2 }, 'auto', 5000),
      { code: 'E_REGISTRY_CONNECT', message: /TLS handshake with https:\/\/127\.0\.0\.1:\d+ .*self.signed/ },
      'an untrusted certificate',
    );
    t.equal(
      await negotiateVersion({ name: h2, origin: h2, tls: { insecure: true } }, 'auto', 5000),
      'h2',
      'insecure: any certificate',
    );
    const closed = `https://127.0.0.1:${await freePort()}`;
    await t.rejects(negotiateVersion({ name: closed, origin: closed }, 'auto', 5000), {
      code: 'E_REGISTRY_CONNECT',
      message: /ECONNREFUSED/,
    });
  },
);
