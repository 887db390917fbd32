import { Agent, Pool, type Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import type { RegistryPort, ReplayEngine } from '../schedule/engine.js';
import { isHead, isRead, Op } from '../schedule/classes.js';
import { OCI_MANIFEST } from './image-manifest.js';
import { Authenticator } from './auth.js';
import { RegistryClient, pullScope } from './client.js';
import { generatedContent } from './content.js';
import type { RegistryEndpoint } from './endpoint.js';
import { transportError } from './errors.js';
import { isDrtpError } from '../errors.js';

/** What the port needs to know per row, besides the engine's columns. */
export interface HttpRows {
  op: Uint8Array;
  size: Float64Array;
  registry: Uint8Array;
  actor: Uint32Array;
  /** Per row, an index into `strings`: the request path for reads, the trace URI for pushes. */
  target: Uint32Array;
  /** Per row, an index into `strings`: the repository. */
  repo: Uint32Array;
  strings: string[];
}

export interface HttpPortOptions {
  registries: RegistryEndpoint[];
  /** Connections per actor and registry (its bound of requests in flight). */
  inFlight: number;
  random: boolean;
  connectTimeoutMs: number;
  /** Time to response headers, and longest silence of a body. */
  timeoutMs: number;
  /** Send manifest reads with an OCI manifest Accept header (their paths already say /manifests/). */
  manifestsAsImages?: boolean;
}

/**
 * The real-registry port: every client actor owns an undici Pool per registry (created on its first
 * request), as every docker client has its own connections. Reads go through undici's dispatch API
 * with a handler that counts body bytes and keeps none; pushes stream generated content through the
 * worker's RegistryClient. Failures become codes; nothing throws out of `start`.
 */
export class HttpPort implements RegistryPort {
  private readonly pools: (Pool | undefined)[];
  private readonly clients: RegistryClient[];
  private readonly auth: Authenticator[];
  private readonly agent: Agent;

  constructor(
    private readonly rows: HttpRows,
    actors: number,
    private readonly options: HttpPortOptions,
  ) {
    this.pools = new Array<Pool | undefined>(actors * options.registries.length);
    this.clients = options.registries.map((r) => new RegistryClient(r, { connections: Math.max(2, options.inFlight), connectTimeoutMs: options.connectTimeoutMs, headersTimeoutMs: options.timeoutMs, bodyIdleTimeoutMs: options.timeoutMs }));
    this.agent = new Agent({ connect: { timeout: options.connectTimeoutMs }, headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs });
    this.auth = options.registries.map((r) => new Authenticator(r.credentials, this.agent));
  }

  start(row: number, engine: ReplayEngine): void {
    const op = this.rows.op[row];
    if (isRead(op)) this.read(row, engine, false);
    else this.push(row, engine);
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.filter((p): p is Pool => p !== undefined).map((p) => p.close()), ...this.clients.map((c) => c.close()), this.agent.close()]);
  }

  private pool(actor: number, registry: number): Pool {
    const index = actor * this.options.registries.length + registry;
    let pool = this.pools[index];
    if (pool === undefined) {
      const endpoint = this.options.registries[registry];
      pool = new Pool(endpoint.origin, {
        connections: this.options.inFlight,
        connect: {
          timeout: this.options.connectTimeoutMs,
          ...(endpoint.tls?.ca === undefined ? {} : { ca: endpoint.tls.ca }),
          ...(endpoint.tls?.insecure ? { rejectUnauthorized: false } : {}),
        },
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
      });
      this.pools[index] = pool;
    }
    return pool;
  }

  private read(row: number, engine: ReplayEngine, retried: boolean): void {
    const { rows } = this;
    const registry = rows.registry[row];
    const path = rows.strings[rows.target[row]];
    const scope = pullScope(rows.strings[rows.repo[row]]);
    const authorization = this.auth[registry].header(scope);
    const handler = new ReadHandler(row, engine, (status, headers) => {
      if (status === 401 && !retried) {
        void this.auth[registry]
          .onUnauthorized(headers['www-authenticate'], scope, this.options.registries[registry].name)
          .then(
            (retry) => (retry ? this.read(row, engine, true) : engine.complete(row, 401, 0, null)),
            (err: unknown) => engine.complete(row, 0, 0, describe(err, `GET ${path}`)),
          );
        return true;
      }
      if (status >= 300 && status < 400 && headers.location !== undefined) {
        this.followRedirect(row, engine, String(headers.location));
        return true;
      }
      return false;
    });
    const manifest = this.options.manifestsAsImages === true && (rows.op[row] === Op.GET_MANIFEST || rows.op[row] === Op.HEAD_MANIFEST);
    const headers = manifest || authorization !== undefined ? { ...(manifest ? { accept: OCI_MANIFEST } : {}), ...(authorization === undefined ? {} : { authorization }) } : undefined;
    const options: Dispatcher.DispatchOptions = { method: isHead(rows.op[row]) ? 'HEAD' : 'GET', path, ...(headers === undefined ? {} : { headers }) };
    this.pool(rows.actor[row], registry).dispatch(options, handler);
  }

  /** A blob served from elsewhere (S3 and the like): follow without the registry's Authorization. */
  private followRedirect(row: number, engine: ReplayEngine, location: string): void {
    const registry = this.options.registries[this.rows.registry[row]];
    const url = new URL(location, registry.origin);
    const handler = new ReadHandler(row, engine, () => false);
    this.agent.dispatch({ origin: url.origin, path: `${url.pathname}${url.search}`, method: 'GET' }, handler);
  }

  private push(row: number, engine: ReplayEngine): void {
    const { rows } = this;
    const uri = rows.strings[rows.target[row]];
    const size = rows.size[row];
    this.clients[rows.registry[row]].pushBlob(rows.strings[rows.repo[row]], generatedContent(uri, size, this.options.random)).then(
      () => engine.complete(row, 201, size, null),
      (err: unknown) => engine.complete(row, isDrtpError(err) && err.statusCode !== undefined ? err.statusCode : 0, 0, describe(err, `PUT ${uri}`)),
    );
  }
}

/** `CODE: message` of a failure. */
function describe(err: unknown, what: string): string {
  const e = isDrtpError(err) ? err : transportError(err, what);
  return `${e.code}: ${e.message}`;
}

/**
 * Counts a response body without keeping it. `intercept` sees the status first and may take the
 * request over (auth retry, redirect): then this handler reports nothing.
 */
class ReadHandler implements Dispatcher.DispatchHandler {
  private status = 0;
  private bytes = 0;
  private firstByteAt = 0;
  private intercepted = false;

  constructor(
    private readonly row: number,
    private readonly engine: ReplayEngine,
    private readonly intercept: (status: number, headers: IncomingHttpHeaders) => boolean,
  ) {}

  onRequestStart(): void {}

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    this.status = statusCode;
    this.firstByteAt = this.engine.clock();
    this.intercepted = this.intercept(statusCode, headers);
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.bytes += chunk.length;
  }

  onResponseEnd(): void {
    if (this.intercepted) return;
    this.engine.complete(this.row, this.status, this.bytes, this.status >= 200 && this.status < 300 ? null : `E_REGISTRY_HTTP: HTTP ${this.status}`, this.firstByteAt);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.intercepted) return;
    const e = transportError(error, 'request');
    this.engine.complete(this.row, 0, this.bytes, `${e.code}: ${e.message}`, this.firstByteAt);
  }
}
