import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** What the proxy does to a request it picks: the faults a registry or a network shows. */
export type Fault =
  /** The connection is reset before any answer. */
  | 'reset'
  /** An error status instead of the registry's answer. */
  | 503
  | 429
  /** The registry's headers, then half the body, then the connection closes. */
  | 'truncate'
  /** The registry's headers and half the body, then silence. */
  | 'stall'
  /** No answer at all: the request waits for headers that never come. */
  | 'no-headers';

export interface FaultProxy {
  url: string;
  host: string;
  /** Requests that went through untouched, and those given the fault. */
  passed: number;
  faulted: number;
  close(): Promise<void>;
}

/**
 * An HTTP proxy on loopback in front of a real registry that gives `fault` to every `every`-th blob GET
 * and passes everything else through, so a replay meets registry and network failures for real.
 */
export async function startFaultProxy(target: string, fault: Fault, every = 3): Promise<FaultProxy> {
  const sockets = new Set<Socket>();
  let blobGets = 0;
  const state = { passed: 0, faulted: 0 };
  const forward = (req: IncomingMessage, res: ServerResponse, cut?: 'truncate' | 'stall'): void => {
    const upstream = request(`${target}${req.url ?? '/'}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      if (cut === undefined) {
        answer.pipe(res);
        return;
      }
      const length = Number(answer.headers['content-length'] ?? 0);
      let sent = 0;
      answer.on('data', (chunk: Buffer) => {
        const room = Math.max(0, Math.floor(length / 2) - sent);
        if (room > 0) res.write(chunk.subarray(0, room));
        sent += Math.min(room, chunk.length);
        if (sent >= Math.floor(length / 2)) {
          answer.destroy();
          if (cut === 'truncate') res.socket?.destroy();
        }
      });
    });
    upstream.on('error', () => res.socket?.destroy());
    req.pipe(upstream);
  };
  const server: Server = createServer((req, res) => {
    const isBlobGet = req.method === 'GET' && /\/blobs\/sha256:/.test(req.url ?? '');
    if (!isBlobGet || ++blobGets % every !== 0) {
      state.passed++;
      forward(req, res);
      return;
    }
    state.faulted++;
    if (fault === 'reset') req.socket.resetAndDestroy();
    else if (fault === 'no-headers') req.resume();
    else if (fault === 'truncate' || fault === 'stall') forward(req, res, fault);
    else
      res
        .writeHead(fault, { 'content-type': 'application/json', ...(fault === 429 ? { 'retry-after': '1' } : {}) })
        .end('{"errors":[{"code":"UNAVAILABLE","message":"injected"}]}');
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    get passed() {
      return state.passed;
    },
    get faulted() {
      return state.faulted;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
