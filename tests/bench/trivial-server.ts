/**
 * A trivial loopback HTTP server for benchmarks: answers every request with a fixed body of
 * `argv[2]` bytes (HEAD: headers only; a push's POST and PUT are taken, their bodies dropped), after `argv[3]` ms (default 0: at once; a delay stands in for a
 * registry's service time without spending the generator's CPU). Runs in its own process so that its
 * CPU is not the generator's. Prints its port on stdout.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const body = Buffer.alloc(Number(process.argv[2] ?? 1024), 0x61);
const delayMs = Number(process.argv[3] ?? 0);
const server = createServer((req, res) => {
  const answer = (): void => {
    // Pushes as a registry takes them: POST opens an upload, the PUT that ends it is created.
    if (req.method === 'POST') res.writeHead(202, { location: `${req.url ?? '/'}upload`, 'content-length': 0 }).end();
    else if (req.method === 'PUT' || req.method === 'PATCH') res.writeHead(201, { 'content-length': 0 }).end();
    else {
      res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' });
      res.end(req.method === 'HEAD' ? undefined : body);
    }
    req.resume();
  };
  if (delayMs > 0) setTimeout(answer, delayMs);
  else answer();
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
