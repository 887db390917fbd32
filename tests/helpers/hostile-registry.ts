import type { Test } from 'tap';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { Socket } from 'node:net';

/** How a hostile registry answers blob GETs (everything else gets a plain 200). */
export type Hostility =
  /** Headers for a body of `bytes`, then one byte every `everyMs`: never silent long enough for a body timeout. */
  | { kind: 'trickle'; bytes: number; everyMs: number }
  /** A chunked body that never ends, a byte every `everyMs`. */
  | { kind: 'endless'; everyMs: number }
  /** A 307 back to the same path, forever. */
  | { kind: 'redirect-loop' }
  /** A 200 with `bytes` bytes of 'x' and a Content-Length that matches them. */
  | { kind: 'fixed-body'; bytes: number };

export interface HostileRegistry {
  host: string;
  /** `http://host` or, over TLS, `https://host`. */
  url: string;
  /** Blob GETs received, redirected ones included. */
  blobGets: number;
  /** The HTTP versions the blob GETs came in (`1.1`, `2.0`). */
  versions: Set<string>;
}

/** What the answers use of an HTTP/1.1 or HTTP/2 response. */
interface Response {
  writeHead(status: number, headers: Record<string, string | undefined>): unknown;
  write(chunk: string): unknown;
  end(chunk: string): unknown;
  once(event: 'close', listener: () => void): unknown;
}

/**
 * A registry on loopback that answers blob GETs in a hostile way; closed (sockets and all) when the
 * test ends. With `tls` it serves HTTPS offering HTTP/2 and HTTP/1.1 by ALPN, as docker-registry does.
 */
export async function withHostileRegistry(
  t: Test,
  hostility: Hostility,
  tls?: { cert: string; key: string },
): Promise<HostileRegistry> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const state: HostileRegistry = { host: '', url: '', blobGets: 0, versions: new Set() };
  const drip = (res: Response, everyMs: number, left: number): void => {
    let closed = false;
    res.once('close', () => (closed = true));
    const timer = setInterval(() => {
      if (left-- <= 0 || closed) {
        clearInterval(timer);
        timers.delete(timer);
        if (!closed) res.end('');
        return;
      }
      res.write('x');
    }, everyMs);
    timers.add(timer);
  };
  const answer = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse): void => {
    reply(req, res);
  };
  const reply = (req: IncomingMessage | Http2ServerRequest, res: Response): void => {
    if (req.method !== 'GET' || !/\/blobs\//.test(req.url ?? '')) {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': '2',
        'docker-distribution-api-version': 'registry/2.0',
      });
      res.end('{}');
      return;
    }
    state.blobGets++;
    state.versions.add(req.httpVersion);
    if (hostility.kind === 'redirect-loop') {
      res.writeHead(307, { location: req.url, 'content-length': '0' });
      res.end('');
    } else if (hostility.kind === 'fixed-body') {
      res.writeHead(200, { 'content-length': String(hostility.bytes) });
      res.end('x'.repeat(hostility.bytes));
    } else if (hostility.kind === 'trickle') {
      res.writeHead(200, { 'content-length': String(hostility.bytes) });
      drip(res, hostility.everyMs, hostility.bytes);
    } else {
      // No length: chunked over HTTP/1.1, DATA frames until the end over HTTP/2.
      res.writeHead(200, {});
      drip(res, hostility.everyMs, Infinity);
    }
  };
  const server = tls === undefined ? createServer(answer) : createSecureServer({ ...tls, allowHTTP1: true }, answer);
  server.on(tls === undefined ? 'connection' : 'secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  state.host = `127.0.0.1:${address.port}`;
  state.url = `${tls === undefined ? 'http' : 'https'}://${state.host}`;
  t.teardown(async () => {
    for (const timer of timers) clearInterval(timer);
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return state;
}
