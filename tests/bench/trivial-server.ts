/**
 * A trivial loopback HTTP server for benchmarks: answers every request with a fixed body of
 * `argv[2]` bytes (HEAD: headers only; a push's POST and PUT are taken, their bodies dropped), after `argv[3]` ms (default 0: at once; a delay stands in for a
 * registry's service time without spending the generator's CPU). Runs in its own process so that its
 * CPU is not the generator's. Prints its port on stdout. With `argv[4]` and `argv[5]` (a certificate and
 * its key, PEM files) it serves HTTPS offering HTTP/2 and HTTP/1.1 by ALPN, as docker-registry does.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { AddressInfo } from 'node:net';

const body = Buffer.alloc(Number(process.argv[2] ?? 1024), 0x61);
const delayMs = Number(process.argv[3] ?? 0);
const [certFile, keyFile] = process.argv.slice(4);
const handle = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse): void => {
  const answer = (): void => {
    // Pushes as a registry takes them: POST opens an upload, the PUT that ends it is created.
    if (req.method === 'POST') {
      res.writeHead(202, { location: `${req.url ?? '/'}upload`, 'content-length': 0 });
      res.end();
    } else if (req.method === 'PUT' || req.method === 'PATCH') {
      res.writeHead(201, { 'content-length': 0 });
      res.end();
    } else {
      res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' });
      if (req.method === 'HEAD') res.end();
      else res.end(body);
    }
    req.resume();
  };
  if (delayMs > 0) setTimeout(answer, delayMs);
  else answer();
};
const server =
  certFile === undefined
    ? createServer(handle)
    : createSecureServer({ cert: readFileSync(certFile), key: readFileSync(keyFile), allowHTTP1: true }, handle);
if ('keepAliveTimeout' in server) server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
