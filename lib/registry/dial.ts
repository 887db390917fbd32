import type { Dispatcher, buildConnector as BuildConnector } from 'undici';
import { Client, buildConnector } from './undici.js';
import type { RegistryEndpoint } from './endpoint.js';

export interface DialOptions {
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** Requests one HTTP/2 connection carries at once (streams); an HTTP/1.1 connection carries one. */
  streams: number;
}

/** The TLS options of an endpoint, as undici's connector takes them. */
export function tlsOptions(endpoint: RegistryEndpoint): { ca?: string; rejectUnauthorized?: boolean } {
  return {
    ...(endpoint.tls?.ca === undefined ? {} : { ca: endpoint.tls.ca }),
    ...(endpoint.tls?.insecure === true ? { rejectUnauthorized: false } : {}),
  };
}

/**
 * One connection to `endpoint` (an undici Client) in the endpoint's HTTP version. An HTTP/2 one offers
 * h2 and http/1.1 by ALPN, as Go's clients do, and carries `streams` requests at once; if a registry
 * answers a connection in HTTP/1.1 after all, that connection sends one request at a time, never
 * pipelined.
 */
export function dial(endpoint: RegistryEndpoint, options: DialOptions, origin: string = endpoint.origin): Client {
  const timeouts = { headersTimeout: options.headersTimeoutMs, bodyTimeout: options.bodyTimeoutMs };
  if (endpoint.version !== 'h2')
    return new Client(origin, { connect: { timeout: options.connectTimeoutMs, ...tlsOptions(endpoint) }, ...timeouts });
  const connector = buildConnector({ allowH2: true, timeout: options.connectTimeoutMs, ...tlsOptions(endpoint) });
  const connect: BuildConnector.connector = (opts, callback) =>
    connector(opts, (err, socket) => {
      if (err === null)
        client.pipelining = (socket as { alpnProtocol?: string | false }).alpnProtocol === 'h2' ? options.streams : 1;
      (callback as (e: Error | null, s: typeof socket | null) => void)(err, socket);
    });
  const client: Client = new Client(origin, { connect, allowH2: true, pipelining: options.streams, ...timeouts });
  return client;
}

/** undici's Pool factory for `endpoint`: every connection it opens is one {@link dial} makes. */
export function dialFactory(endpoint: RegistryEndpoint, options: DialOptions): (origin: URL | string) => Dispatcher {
  return (origin) => dial(endpoint, options, typeof origin === 'string' ? origin : origin.origin);
}
