import { createServer, type Server } from 'node:http';
import { createSign, X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { SelfSigned } from './pki.js';

/**
 * A minimal Docker token server for tests (no token server package is available here): checks HTTP
 * Basic credentials and answers a JWT signed with the test certificate's key (RS256, x5c header), which
 * docker-registry verifies against its rootcertbundle.
 */
export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  /** Token requests served, by outcome. */
  issued: number;
  refused: number;
  close(): Promise<void>;
}

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

export async function startTokenServer(
  signer: SelfSigned,
  users: Record<string, string>,
  lifetimeSeconds = 300,
): Promise<TokenServer> {
  const der = new X509Certificate(signer.certPem).raw.toString('base64');
  const state = { issued: 0, refused: 0 };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const [user, password] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64')
      .toString()
      .split(':');
    if (user === undefined || users[user] !== password) {
      state.refused++;
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}');
      return;
    }
    const access = url.searchParams.getAll('scope').flatMap((scope) => {
      const [type, name, actions] = scope.split(':');
      return type === undefined || name === undefined ? [] : [{ type, name, actions: (actions ?? '').split(',') }];
    });
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', x5c: [der] }));
    const claims = b64url(
      JSON.stringify({
        iss: 'drtp-test-issuer',
        sub: user,
        aud: url.searchParams.get('service'),
        exp: now + lifetimeSeconds,
        nbf: now - 10,
        iat: now,
        jti: `${now}-${state.issued}`,
        access,
      }),
    );
    const signature = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(signer.keyPem).toString('base64url');
    state.issued++;
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ token: `${header}.${claims}.${signature}`, expires_in: lifetimeSeconds }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service: 'drtp-test-registry',
    issuer: 'drtp-test-issuer',
    get issued() {
      return state.issued;
    },
    get refused() {
      return state.refused;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
