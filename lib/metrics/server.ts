import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OpenMetricsContentType, Registry } from 'prom-client';
import { DrtpError } from '../errors.js';

/** `HOST:PORT` (or `[::1]:PORT`, or `:PORT` for every address), as `--metrics` takes it. */
export function parseListenAddress(text: string, flag: string): { host: string | undefined; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text.trim());
  const port = match === null ? NaN : Number(match[3]);
  if (match === null || port > 65535)
    throw new DrtpError(
      'E_USAGE',
      `${flag} ${JSON.stringify(text)} is not HOST:PORT (e.g. 127.0.0.1:9464, or :9464 for every address)`,
    );
  const host = match[1] ?? match[2];
  return { host: host === '' ? undefined : host, port };
}

export interface MetricsServer {
  /** Where Prometheus scrapes: `http://host:port/metrics`. */
  url: string;
  /**
   * Stops serving once the final numbers have been scraped once, or after `lingerMs` (0: at once):
   * a scrape every 15 s would otherwise miss the end of a run.
   */
  close(lingerMs: number): Promise<void>;
}

/** Serves the registry's metrics as OpenMetrics text on `/metrics` while a job runs. */
export async function serveMetrics(
  registry: Registry<OpenMetricsContentType>,
  address: { host: string | undefined; port: number },
  flag: string,
): Promise<MetricsServer> {
  let scrapes = 0;
  const scraped: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('drtp serves /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType }).end(text);
        scrapes++;
        for (const resolve of scraped.splice(0)) resolve();
      },
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(err)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new DrtpError(
          'E_USAGE',
          `${flag}: cannot listen on ${address.host ?? '*'}:${address.port}: ${err.code === 'EADDRINUSE' ? 'the address is in use' : err.message}`,
        ),
      ),
    );
    server.listen(address.port, address.host, resolve);
  });
  // Never what keeps a process alive: a job that ends, or fails, closes it or leaves it.
  server.unref();
  const bound = server.address() as AddressInfo;
  const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  return {
    url: `http://${host}:${bound.port}/metrics`,
    async close(lingerMs) {
      if (lingerMs > 0) {
        const before = scrapes;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, lingerMs);
          scraped.push(() => {
            if (scrapes > before) {
              clearTimeout(timer);
              resolve();
            }
          });
        });
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
