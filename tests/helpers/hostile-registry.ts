import type { Test } from 'tap';
import { createServer, type ServerResponse } from 'node:http';
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
  /** Blob GETs received, redirected ones included. */
  blobGets: number;
}

/** A registry on loopback that answers blob GETs in a hostile way; closed (sockets and all) when the test ends. */
export async function withHostileRegistry(t: Test, hostility: Hostility): Promise<HostileRegistry> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const state = { host: '', blobGets: 0 };
  const drip = (res: ServerResponse, everyMs: number, left: number): void => {
    const timer = setInterval(() => {
      if (left-- <= 0 || res.destroyed) {
        clearInterval(timer);
        timers.delete(timer);
        if (!res.destroyed) res.end();
        return;
      }
      res.write('x');
    }, everyMs);
    timers.add(timer);
  };
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || !/\/blobs\//.test(req.url ?? '')) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2', 'docker-distribution-api-version': 'registry/2.0' }).end('{}');
      return;
    }
    state.blobGets++;
    if (hostility.kind === 'redirect-loop') res.writeHead(307, { location: req.url, 'content-length': '0' }).end();
    else if (hostility.kind === 'fixed-body') res.writeHead(200, { 'content-length': String(hostility.bytes) }).end('x'.repeat(hostility.bytes));
    else if (hostility.kind === 'trickle') {
      res.writeHead(200, { 'content-length': String(hostility.bytes) });
      drip(res, hostility.everyMs, hostility.bytes);
    } else {
      res.writeHead(200, { 'transfer-encoding': 'chunked' });
      drip(res, hostility.everyMs, Infinity);
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  state.host = `127.0.0.1:${address.port}`;
  t.teardown(async () => {
    for (const timer of timers) clearInterval(timer);
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return state;
}
