import { createHash, type Hash } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { Agent } from './undici.js';
import { dial } from './dial.js';
import type { CompletionSink, Failure, RegistryPort, Segment } from '../contract/replay.js';
import { isHead, isRead, Op } from '../contract/ops.js';
import { OCI_MANIFEST } from './image-manifest.js';
import { Authenticator } from './auth.js';
import { ActorConnections, type Connection } from './connections.js';
import { RegistryClient, pullScope } from './client.js';
import { generatedContent } from './content.js';
import type { RegistryEndpoint } from './endpoint.js';
import { transportError } from './errors.js';
import { MAX_REDIRECTS, deadlineError, interruptedError, requestDeadlineMs } from './deadline.js';
import { isDrtpError } from '../errors.js';
import { Stack } from '../stack.js';

export interface HttpPortOptions {
  registries: RegistryEndpoint[];
  /** Connections per actor and registry (its bound of requests in flight). */
  inFlight: number;
  random: boolean;
  connectTimeoutMs: number;
  /** Time to response headers, and longest silence of a body. */
  timeoutMs: number;
  /** Longest time of a whole request (default: `timeoutMs` plus its traced size at 1 MB/s). */
  deadlineMs?: number;
  /** Hash every blob GET's body and fail one that is not its digest (`client_info.verify_digests`). */
  verifyDigests?: boolean;
  /** Fail a GET of other than the warmed size (`client_info.check_sizes`, default true). */
  checkSizes?: boolean;
  /** Send manifest reads with an OCI manifest Accept header (their paths already say /manifests/). */
  manifestsAsImages?: boolean;
}

/**
 * The real-registry port: every client actor owns its connections to each registry (undici Clients,
 * opened on its first requests), as every docker client has its own connections. Reads go through
 * undici's dispatch API with a handler that counts body bytes and keeps none; pushes stream generated
 * content through the worker's RegistryClient. Failures become codes; nothing throws out of `start`.
 */
export class HttpPort implements RegistryPort {
  private readonly connections: (ActorConnections | undefined)[];
  private readonly clients: RegistryClient[];
  private readonly auth: Authenticator[];
  private readonly agent: Agent;
  private readonly free = new Stack<ReadHandler>();
  /** Pull scope per repository string id, built once. */
  private readonly scopes: string[] = [];
  /** User-Agent headers by the agent's string id, made once each. */
  private readonly headersByAgent: (string[] | undefined)[] = [];
  /**
   * The options of the read being sent, reused: an undici Client copies them into its request before
   * dispatch returns (an Agent or Pool may queue them, so those get their own).
   */
  private readonly sending: Dispatcher.DispatchOptions = { method: 'GET', path: '/' };
  /** Reads in flight, each at its `activeIndex`, swept for deadlines by one timer. */
  private readonly active: ReadHandler[] = [];
  private readonly sweeper: NodeJS.Timeout;
  /** Pushes in flight are cut off through this on `abortAll()`. */
  private readonly stopping = new AbortController();

  /**
   * `strings` is the worker's string table (request paths, trace URIs, repositories), indexed by the
   * segments' `target` and `repo` columns; it grows as segments arrive.
   */
  constructor(
    private readonly strings: string[],
    private readonly options: HttpPortOptions,
    /** Beside `strings`: the bytes a read of each path must bring (NaN: not checked). */
    private readonly warmedSizes: readonly number[] = [],
  ) {
    this.connections = [];
    this.clients = options.registries.map(
      (r) =>
        new RegistryClient(r, {
          connections: Math.max(2, options.inFlight),
          connectTimeoutMs: options.connectTimeoutMs,
          headersTimeoutMs: options.timeoutMs,
          bodyIdleTimeoutMs: options.timeoutMs,
        }),
    );
    this.agent = new Agent({
      connect: { timeout: options.connectTimeoutMs },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    this.auth = options.registries.map((r) => new Authenticator(r.credentials, this.agent));
    // One timer for every read's deadline, not one per request; it never keeps the thread alive.
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS).unref();
  }

  start(row: number, segment: Segment, index: number, engine: CompletionSink): void {
    const op = segment.op[index];
    const deadlineMs = requestDeadlineMs(this.options.timeoutMs, segment.size[index], this.options.deadlineMs);
    const deadlineAt = engine.clock() + deadlineMs;
    if (isRead(op)) {
      // A GET answered whole must bring the bytes warmup pushed, except an image manifest (warmup pads those only up to the traced size).
      const target = segment.target[index];
      const warmed = this.warmedSizes[target] ?? NaN;
      const checked =
        this.options.checkSizes !== false &&
        (op === Op.GET_BLOB || (op === Op.GET_MANIFEST && this.options.manifestsAsImages !== true)) &&
        warmed >= 0;
      const handler = this.read(
        row,
        op,
        segment.registry[index],
        segment.actor[index],
        target,
        segment.repo[index],
        segment.agent[index],
        engine,
        false,
        deadlineAt,
        0,
        checked ? warmed : -1,
      );
      handler.deadlineMs = deadlineMs;
    } else
      this.push(
        row,
        segment.registry[index],
        segment.target[index],
        segment.repo[index],
        segment.agent[index],
        segment.size[index],
        engine,
        deadlineAt,
      );
  }

  /** Cuts off every request in flight (each completes as failed, `E_INTERRUPTED`): the end of a stop's grace. */
  abortAll(): void {
    this.stopping.abort();
    for (const handler of [...this.active]) handler.cutOff(interruptedError(this.describe(handler)));
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([
      ...this.connections.filter((c): c is ActorConnections => c !== undefined).map((c) => c.close()),
      ...this.clients.map((c) => c.close()),
      this.agent.close(),
    ]);
  }

  private connectionsOf(actor: number, registry: number): ActorConnections {
    const index = actor * this.options.registries.length + registry;
    let connections = this.connections[index];
    if (connections === undefined) {
      const endpoint = this.options.registries[registry];
      const { inFlight, connectTimeoutMs, timeoutMs } = this.options;
      const dialOptions = {
        connectTimeoutMs,
        headersTimeoutMs: timeoutMs,
        bodyTimeoutMs: timeoutMs,
        streams: inFlight,
      };
      // Over HTTP/2 an actor's requests in flight are streams on its one connection, as a Go client's are.
      const size = endpoint.version === 'h2' ? 1 : inFlight;
      connections = this.connections[index] = new ActorConnections(size, () => dial(endpoint, dialOptions));
    }
    return connections;
  }

  private read(
    row: number,
    op: number,
    registry: number,
    actor: number,
    target: number,
    repo: number,
    agent: number,
    engine: CompletionSink,
    retried: boolean,
    deadlineAt: number,
    redirects: number,
    expectedBytes: number,
  ): ReadHandler {
    const authorization = this.auth[registry].header(this.scopes[repo] ?? this.scope(repo));
    const manifest = this.options.manifestsAsImages === true && (op === Op.GET_MANIFEST || op === Op.HEAD_MANIFEST);
    const sending = this.sending;
    sending.method = isHead(op) ? 'HEAD' : 'GET';
    sending.path = this.strings[target];
    sending.headers =
      manifest || authorization !== undefined
        ? this.headersWith(agent, manifest, authorization)
        : this.agentHeaders(agent);
    const connection = this.connectionsOf(actor, registry).acquire();
    const handler = this.handler(
      row,
      op,
      registry,
      actor,
      target,
      repo,
      agent,
      engine,
      retried,
      deadlineAt,
      redirects,
      expectedBytes,
      connection,
    );
    handler.sentAuthorization = authorization;
    dispatchOrFail(connection.client, sending, handler);
    return handler;
  }

  /** The headers of a plain read by the agent `agent` (a string id), made once per agent. */
  private agentHeaders(agent: number): string[] {
    let headers = this.headersByAgent[agent];
    if (headers === undefined) {
      const ua = this.strings[agent];
      headers = this.headersByAgent[agent] = ua === '' ? [] : ['user-agent', ua];
    }
    return headers;
  }

  /** The headers of a read that also sends an Accept for image manifests or an Authorization. */
  private headersWith(agent: number, manifest: boolean, authorization: string | undefined): string[] {
    const headers = [...this.agentHeaders(agent)];
    if (manifest) headers.push('accept', OCI_MANIFEST);
    if (authorization !== undefined) headers.push('authorization', authorization);
    return headers;
  }

  private scope(repo: number): string {
    return (this.scopes[repo] = pullScope(this.strings[repo]));
  }

  /** A handler from the free list: handlers are reused, one per request in flight. */
  private handler(
    row: number,
    op: number,
    registry: number,
    actor: number,
    target: number,
    repo: number,
    agent: number,
    engine: CompletionSink,
    retried: boolean,
    deadlineAt: number,
    redirects: number,
    expectedBytes: number,
    connection?: Connection,
  ): ReadHandler {
    const handler = this.free.pop() ?? new ReadHandler(this);
    handler.reset(
      row,
      op,
      registry,
      actor,
      target,
      repo,
      agent,
      engine,
      retried,
      deadlineAt,
      redirects,
      expectedBytes,
      connection,
    );
    if (this.options.verifyDigests === true && op === Op.GET_BLOB) handler.hash = createHash('sha256');
    handler.activeIndex = this.active.length;
    this.active.push(handler);
    return handler;
  }

  /**
   * @internal What is wrong with a 2xx answer to a read: other bytes than warmup pushed (a registry that
   * serves a wrong or cut blob with a matching Content-Length), or, with `verifyDigests`, other content.
   */
  answerProblem(h: ReadHandler, bytes: number, digest: string | undefined): Failure | null {
    const path = this.strings[h.target];
    if (h.expectedBytes >= 0 && bytes !== h.expectedBytes)
      return {
        code: 'E_SIZE_MISMATCH',
        message: `GET ${path}: HTTP 200 with ${bytes} bytes, not the ${h.expectedBytes} warmed`,
      };
    if (digest !== undefined && !path.endsWith(digest))
      return { code: 'E_DIGEST_MISMATCH', message: `GET ${path}: the body hashes to ${digest}` };
    return null;
  }

  /** @internal A handler is done with its request (and its connection, unless redirected elsewhere). */
  release(handler: ReadHandler): void {
    if (handler.connection !== undefined) handler.connection.owner.release(handler.connection);
    handler.connection = undefined;
    const last = this.active.pop() as ReadHandler;
    if (last !== handler) {
      this.active[handler.activeIndex] = last;
      last.activeIndex = handler.activeIndex;
    }
    handler.activeIndex = -1;
    this.free.push(handler);
  }

  /** Fails every read past its deadline. */
  private sweep(): void {
    if (this.active.length === 0) return;
    const now = this.active[0].engine.clock();
    for (const handler of [...this.active]) {
      if (handler.deadlineAt < now) handler.cutOff(deadlineError(this.describe(handler), handler.deadlineMs));
    }
  }

  /** `GET /v2/...`: a read in flight, as its failure names it. */
  private describe(handler: ReadHandler): string {
    return `${isHead(handler.op) ? 'HEAD' : 'GET'} ${this.strings[handler.target]}`;
  }

  /**
   * @internal The response to `row` needs more than counting: a 401 to authenticate and retry once, or
   * a redirect to follow. Returns true when it took the request over.
   */
  intercept(h: ReadHandler, status: number, rawHeaders: Buffer[] | string[]): boolean {
    const {
      row,
      op,
      registry,
      actor,
      target,
      repo,
      agent,
      engine,
      retried,
      sentAuthorization,
      deadlineAt,
      deadlineMs,
      redirects,
      expectedBytes,
    } = h;
    if (status === 401 && !retried) {
      const scope = this.scopes[repo] ?? this.scope(repo);
      void this.auth[registry]
        .onUnauthorized(
          rawHeader(rawHeaders, 'www-authenticate'),
          scope,
          this.options.registries[registry].name,
          sentAuthorization,
        )
        .then(
          (retry) => {
            if (!retry) return engine.complete(row, 401, 0, null);
            const again = this.read(
              row,
              op,
              registry,
              actor,
              target,
              repo,
              agent,
              engine,
              true,
              deadlineAt,
              redirects,
              expectedBytes,
            );
            again.deadlineMs = deadlineMs;
          },
          (err: unknown) => engine.complete(row, statusOf(err), 0, failureOf(err, `GET ${this.strings[target]}`)),
        );
      return true;
    }
    const location = status >= 300 && status < 400 ? rawHeader(rawHeaders, 'location') : undefined;
    if (location === undefined || !URL.canParse(location, this.options.registries[registry].origin)) return false;
    if (redirects >= MAX_REDIRECTS) {
      engine.complete(row, status, 0, {
        code: 'E_REGISTRY_REDIRECTS',
        message: `GET ${this.strings[target]}: redirected ${redirects + 1} times, the last to ${location}: a loop? (drtp follows ${MAX_REDIRECTS}, as Go's client)`,
      });
      return true;
    }
    const endpoint = this.options.registries[registry];
    const url = new URL(location, endpoint.origin);
    const method = isHead(op) ? 'HEAD' : 'GET';
    const path = `${url.pathname}${url.search}`;
    if (url.origin === endpoint.origin) {
      // Back to the registry: on the actor's own connections (its TLS, its HTTP version), with its Authorization, as a Go client follows.
      const authorization = this.auth[registry].header(this.scopes[repo] ?? this.scope(repo));
      const connection = this.connectionsOf(actor, registry).acquire();
      const handler = this.handler(
        row,
        op,
        registry,
        actor,
        target,
        repo,
        agent,
        engine,
        true,
        deadlineAt,
        redirects + 1,
        expectedBytes,
        connection,
      );
      handler.sentAuthorization = authorization;
      handler.deadlineMs = deadlineMs;
      dispatchOrFail(
        connection.client,
        {
          method,
          path,
          headers:
            authorization === undefined ? this.agentHeaders(agent) : this.headersWith(agent, false, authorization),
        },
        handler,
      );
      return true;
    }
    // A blob served from elsewhere (S3 and the like): follow without the registry's Authorization.
    const elsewhere = this.handler(
      row,
      op,
      registry,
      actor,
      target,
      repo,
      agent,
      engine,
      true,
      deadlineAt,
      redirects + 1,
      expectedBytes,
    );
    elsewhere.deadlineMs = deadlineMs;
    dispatchOrFail(this.agent, { origin: url.origin, path, method, headers: this.agentHeaders(agent) }, elsewhere);
    return true;
  }

  private push(
    row: number,
    registry: number,
    target: number,
    repo: number,
    agent: number,
    size: number,
    engine: CompletionSink,
    deadlineAt: number,
  ): void {
    const uri = this.strings[target];
    // Seeded apart from warmup's content for the same URI: re-uploading a blob that GETs are reading
    // at that moment makes docker-registry answer some of those GETs with 500.
    const limits = {
      deadlineMs: deadlineAt - engine.clock(),
      signal: this.stopping.signal,
      userAgent: this.strings[agent],
    };
    this.clients[registry]
      .pushBlob(this.strings[repo], generatedContent(`put:${uri}`, size, this.options.random), limits)
      .then(
        () => engine.complete(row, 201, size, null),
        (err: unknown) => engine.complete(row, statusOf(err), 0, failureOf(err, `PUT ${uri}`)),
      );
  }
}

/** How often reads in flight are checked against their deadlines. */
const SWEEP_MS = 250;

/**
 * Dispatches, and fails the request through its handler if undici throws instead of calling it (so
 * that every request ends in a completion).
 */
function dispatchOrFail(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions, handler: ReadHandler): void {
  try {
    dispatcher.dispatch(options, handler);
  } catch (err) {
    handler.onError(err instanceof Error ? err : new Error(String(err)));
  }
}

/** The HTTP status a failure carries (0 for transport failures), so it is counted with its status. */
function statusOf(err: unknown): number {
  return isDrtpError(err) && err.statusCode !== undefined ? err.statusCode : 0;
}

/** A failure's code and message (transport errors mapped to theirs). */
function failureOf(err: unknown, what: string): Failure {
  const e = isDrtpError(err) ? err : transportError(err, what);
  return { code: e.code, message: e.message };
}

/** The value of a header in undici's raw `[name, value, ...]` form (the rare paths only). */
function rawHeader(raw: Buffer[] | string[], name: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2)
    if (raw[i].toString().toLowerCase() === name) return raw[i + 1].toString();
  return undefined;
}

/**
 * Counts a response body without keeping it. It implements undici's original handler interface
 * (onConnect / onHeaders / onData / onComplete / onError) on purpose: undici 7 wraps handlers of the
 * newer interface in an adapter that allocates and parses every response's headers into an object,
 * which is most of the per-request garbage of a replay. Instances are reused through the port.
 */
class ReadHandler {
  row = 0;
  op = 0;
  registry = 0;
  actor = 0;
  target = 0;
  repo = 0;
  agent = 0;
  engine!: CompletionSink;
  retried = false;
  /** The connection carrying the request (none when a redirect took it elsewhere). */
  connection: Connection | undefined;
  /** The Authorization header the request went out with (to tell a stale 401 from wrong credentials). */
  sentAuthorization: string | undefined;
  /** When the whole request must be done (the engine's clock), and when it was sent. */
  deadlineAt = 0;
  startedAt = 0;
  /** The whole deadline, as its failure states it (the first attempt's: retries and redirects keep it). */
  deadlineMs = 0;
  /** Redirects followed to get here. */
  redirects = 0;
  /** The body size a whole answer must have (-1: not checked). */
  expectedBytes = -1;
  /** The body's running sha256 (digest checks only). */
  hash: Hash | undefined;
  /** Where it sits in the port's reads in flight (-1: none). */
  activeIndex = -1;
  /** undici's abort for this request, once it is on a connection, and why it was cut off. */
  private abort: ((err: Error) => void) | undefined;
  private cutReason: Error | undefined;
  private status = 0;
  private bytes = 0;
  private firstByteAt = 0;
  private intercepted = false;

  constructor(private readonly port: HttpPort) {}

  reset(
    row: number,
    op: number,
    registry: number,
    actor: number,
    target: number,
    repo: number,
    agent: number,
    engine: CompletionSink,
    retried: boolean,
    deadlineAt: number,
    redirects: number,
    expectedBytes: number,
    connection: Connection | undefined,
  ): void {
    this.connection = connection;
    this.expectedBytes = expectedBytes;
    this.hash = undefined;
    this.deadlineAt = deadlineAt;
    this.startedAt = engine.clock();
    this.deadlineMs = deadlineAt - this.startedAt;
    this.redirects = redirects;
    this.abort = undefined;
    this.cutReason = undefined;
    this.sentAuthorization = undefined;
    this.row = row;
    this.op = op;
    this.registry = registry;
    this.actor = actor;
    this.target = target;
    this.repo = repo;
    this.agent = agent;
    this.engine = engine;
    this.retried = retried;
    this.status = 0;
    this.bytes = 0;
    this.firstByteAt = 0;
    this.intercepted = false;
  }

  onConnect(abort: (err: Error) => void): void {
    if (this.cutReason !== undefined) abort(this.cutReason);
    else this.abort = abort;
  }

  /** Fails the request with `error`: now when it is on a connection, else as soon as it gets one. */
  cutOff(error: Error): void {
    if (this.cutReason !== undefined) return;
    this.cutReason = error;
    const abort = this.abort;
    this.abort = undefined;
    abort?.(error);
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    this.status = statusCode;
    this.firstByteAt = this.engine.clock();
    if (statusCode === 401 || (statusCode >= 300 && statusCode < 400))
      this.intercepted = this.port.intercept(this, statusCode, rawHeaders);
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.bytes += chunk.length;
    this.hash?.update(chunk);
    return true;
  }

  onComplete(): void {
    const { row, engine, status, bytes, firstByteAt, intercepted } = this;
    const problem =
      status >= 200 && status < 300 && !intercepted
        ? this.port.answerProblem(
            this,
            bytes,
            this.hash === undefined ? undefined : `sha256:${this.hash.digest('hex')}`,
          )
        : null;
    this.port.release(this);
    if (intercepted) return;
    engine.complete(row, status, bytes, problem, firstByteAt);
  }

  onError(error: Error): void {
    const { row, engine, bytes, firstByteAt, intercepted } = this;
    // undici fails a broken connection's queued requests in one loop that must not see new ones:
    // completing here would send this actor's next request into that loop. Fail once it is over.
    queueMicrotask(() => {
      this.port.release(this);
      if (intercepted) return;
      engine.complete(row, 0, bytes, failureOf(error, 'request'), firstByteAt);
    });
  }
}
