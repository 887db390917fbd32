import { Agent, Pool, type Dispatcher } from 'undici';
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
  private readonly free: ReadHandler[] = [];
  /** Pull scope per repository string id, built once. */
  private readonly scopes: string[] = [];
  private readonly optionsCache: (Dispatcher.DispatchOptions | undefined)[] = [];

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
    const authorization = this.auth[registry].header(this.scopes[rows.repo[row]] ?? this.scope(rows.repo[row]));
    const manifest = this.options.manifestsAsImages === true && (rows.op[row] === Op.GET_MANIFEST || rows.op[row] === Op.HEAD_MANIFEST);
    let options: Dispatcher.DispatchOptions;
    if (manifest || authorization !== undefined) {
      const headers = { ...(manifest ? { accept: OCI_MANIFEST } : {}), ...(authorization === undefined ? {} : { authorization }) };
      options = { method: isHead(rows.op[row]) ? 'HEAD' : 'GET', path: rows.strings[rows.target[row]], headers };
    } else options = this.plainOptions(row);
    this.pool(rows.actor[row], registry).dispatch(options, this.handler(row, engine, retried));
  }

  /** Options of an unauthenticated read, made once per path and method: undici does not modify them. */
  private plainOptions(row: number): Dispatcher.DispatchOptions {
    const key = this.rows.target[row] * 2 + (isHead(this.rows.op[row]) ? 1 : 0);
    let options = this.optionsCache[key];
    if (options === undefined) options = this.optionsCache[key] = { method: key % 2 === 1 ? 'HEAD' : 'GET', path: this.rows.strings[this.rows.target[row]] };
    return options;
  }

  private scope(repo: number): string {
    return (this.scopes[repo] = pullScope(this.rows.strings[repo]));
  }

  /** A handler from the free list: handlers are reused, one per request in flight. */
  private handler(row: number, engine: ReplayEngine, retried: boolean): ReadHandler {
    const handler = this.free.pop() ?? new ReadHandler(this);
    handler.reset(row, engine, retried);
    return handler;
  }

  /** @internal A handler is done with its request. */
  release(handler: ReadHandler): void {
    this.free.push(handler);
  }

  /**
   * @internal The response to `row` needs more than counting: a 401 to authenticate and retry once, or
   * a redirect to follow. Returns true when it took the request over.
   */
  intercept(row: number, engine: ReplayEngine, retried: boolean, status: number, rawHeaders: Buffer[] | string[]): boolean {
    const registry = this.rows.registry[row];
    if (status === 401 && !retried) {
      const scope = this.scopes[this.rows.repo[row]] ?? this.scope(this.rows.repo[row]);
      void this.auth[registry].onUnauthorized(rawHeader(rawHeaders, 'www-authenticate'), scope, this.options.registries[registry].name).then(
        (retry) => (retry ? this.read(row, engine, true) : engine.complete(row, 401, 0, null)),
        (err: unknown) => engine.complete(row, 0, 0, describe(err, `GET ${this.rows.strings[this.rows.target[row]]}`)),
      );
      return true;
    }
    const location = status >= 300 && status < 400 ? rawHeader(rawHeaders, 'location') : undefined;
    if (location === undefined) return false;
    // A blob served from elsewhere (S3 and the like): follow without the registry's Authorization.
    const url = new URL(location, this.options.registries[registry].origin);
    this.agent.dispatch({ origin: url.origin, path: `${url.pathname}${url.search}`, method: 'GET' }, this.handler(row, engine, true));
    return true;
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

/** The value of a header in undici's raw `[name, value, ...]` form (the rare paths only). */
function rawHeader(raw: Buffer[] | string[], name: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i].toString().toLowerCase() === name) return raw[i + 1].toString();
  return undefined;
}

/**
 * Counts a response body without keeping it. It implements undici's original handler interface
 * (onConnect / onHeaders / onData / onComplete / onError) on purpose: undici 7 wraps handlers of the
 * newer interface in an adapter that allocates and parses every response's headers into an object,
 * which is most of the per-request garbage of a replay. Instances are reused through the port.
 */
class ReadHandler {
  private row = 0;
  private engine!: ReplayEngine;
  private retried = false;
  private status = 0;
  private bytes = 0;
  private firstByteAt = 0;
  private intercepted = false;

  constructor(private readonly port: HttpPort) {}

  reset(row: number, engine: ReplayEngine, retried: boolean): void {
    this.row = row;
    this.engine = engine;
    this.retried = retried;
    this.status = 0;
    this.bytes = 0;
    this.firstByteAt = 0;
    this.intercepted = false;
  }

  onConnect(): void {}

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    this.status = statusCode;
    this.firstByteAt = this.engine.clock();
    if (statusCode === 401 || (statusCode >= 300 && statusCode < 400)) this.intercepted = this.port.intercept(this.row, this.engine, this.retried, statusCode, rawHeaders);
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.bytes += chunk.length;
    return true;
  }

  onComplete(): void {
    const { row, engine, status, bytes, firstByteAt, intercepted } = this;
    this.port.release(this);
    if (intercepted) return;
    engine.complete(row, status, bytes, status >= 200 && status < 300 ? null : `E_REGISTRY_HTTP: HTTP ${status}`, firstByteAt);
  }

  onError(error: Error): void {
    const { row, engine, bytes, firstByteAt, intercepted } = this;
    this.port.release(this);
    if (intercepted) return;
    const e = transportError(error, 'request');
    engine.complete(row, 0, bytes, `${e.code}: ${e.message}`, firstByteAt);
  }
}
