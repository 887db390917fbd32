import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RegistryClient } from '../../../lib/registry/client.js';
import { generatedContent } from '../../../lib/registry/content.js';
import { resolveEndpoint } from '../../../lib/registry/endpoint.js';
import { withRegistry } from '../../helpers/registry.js';
import { selfSigned } from '../../helpers/pki.js';
import { startTokenServer } from '../../helpers/token-server.js';

const SECRET = 's3cret-Pa55';

async function roundTrip(t: Test, client: RegistryClient, uri: string): Promise<void> {
  const digest = await client.pushBlob('auth/test', generatedContent(uri, 3000, true));
  t.ok(await client.hasBlob('auth/test', digest), 'pushed');
  t.equal((await client.pullBlob('auth/test', digest, true)).bytes, 3000, 'pulled back');
}

t.test('HTTP Basic against an htpasswd (bcrypt) registry', async (t) => {
  const dir = t.testdir();
  const htpasswd = join(dir, 'htpasswd');
  writeFileSync(htpasswd, execFileSync('htpasswd', ['-Bbn', 'drtp', SECRET]));
  const registry = await withRegistry(t, { htpasswd });
  const good = new RegistryClient(
    resolveEndpoint({ url: registry.host, username: 'drtp', password_env: 'DRTP_TEST_PW' }, dir, {
      DRTP_TEST_PW: SECRET,
    }),
  );
  t.teardown(() => good.close());
  await good.ping();
  await roundTrip(t, good, 'v2/auth/test/blobs/basic');

  const wrong = new RegistryClient(
    resolveEndpoint({ url: registry.host, username: 'drtp', password: 'wrong-pw' }, dir, {}),
  );
  t.teardown(() => wrong.close());
  const err = await wrong.ping().catch((e: unknown) => e as Error & { code: string; statusCode: number });
  t.match(
    err,
    { code: 'E_REGISTRY_HTTP', statusCode: 401, message: /credentials rejected/ },
    'wrong credentials: a clear error, not a hang',
  );
  t.notMatch((err as Error).message, 'wrong-pw', 'the password never appears in errors');

  const none = new RegistryClient(resolveEndpoint(registry.host, dir, {}));
  t.teardown(() => none.close());
  await t.rejects(none.ping(), { code: 'E_REGISTRY_HTTP', message: /requires credentials/ });
});

t.test('TLS with a self-signed certificate: CA file, insecure, or refused', async (t) => {
  const dir = t.testdir();
  const cert = selfSigned(dir, 'registry');
  const registry = await withRegistry(t, { tls: { certificate: cert.cert, key: cert.key } });
  t.match(registry.url, /^https:/);
  const withCa = new RegistryClient(resolveEndpoint({ url: registry.url, ca: cert.cert }, dir, {}));
  t.teardown(() => withCa.close());
  await roundTrip(t, withCa, 'v2/auth/test/blobs/tls-ca');
  const insecure = new RegistryClient(resolveEndpoint({ url: registry.url, insecure: true }, dir, {}));
  t.teardown(() => insecure.close());
  await insecure.ping();
  const strict = new RegistryClient(resolveEndpoint(registry.url, dir, {}));
  t.teardown(() => strict.close());
  await t.rejects(strict.ping(), { code: 'E_REGISTRY_CONNECT', message: /certificate/i }, 'an unknown CA is refused');
});

t.test('the Docker token flow, with tokens cached per scope', async (t) => {
  const dir = t.testdir();
  const signer = selfSigned(dir, 'token-signer', 'drtp-token-signer');
  const tokens = await startTokenServer(signer, { drtp: SECRET });
  t.teardown(() => tokens.close());
  const registry = await withRegistry(t, {
    token: { realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, rootCertBundle: signer.cert },
  });
  const client = new RegistryClient(
    resolveEndpoint({ url: registry.host, username: 'drtp', password: SECRET }, dir, {}),
  );
  t.teardown(() => client.close());
  await client.ping();
  await roundTrip(t, client, 'v2/auth/test/blobs/token-1');
  await roundTrip(t, client, 'v2/auth/test/blobs/token-2');
  t.ok(
    tokens.issued >= 1 && tokens.issued <= 4,
    `tokens are reused across requests (${tokens.issued} issued for 10 requests)`,
  );

  const wrong = new RegistryClient(
    resolveEndpoint({ url: registry.host, username: 'drtp', password: 'nope' }, dir, {}),
  );
  t.teardown(() => wrong.close());
  await t.rejects(wrong.hasBlob('auth/test', `sha256:${'0'.repeat(64)}`), {
    code: 'E_REGISTRY_HTTP',
    statusCode: 401,
    message: /token request .*HTTP 401/,
  });
  t.ok(tokens.refused >= 1);
});
