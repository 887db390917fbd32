import { createHash, type Hash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { Agent, Pool } from './undici.js';
import { DrtpError } from '../errors.js';
import { Authenticator } from './auth.js';
import type { BlobContent } from './content.js';
import type { RegistryEndpoint } from './endpoint.js';
import { httpError, transportError, unsendablePath } from './errors.js';
import { deadlineError, interruptedError } from './deadline.js';
import { dialFactory, tlsOptions } from './dial.js';
import { drtpUserAgent } from '../version.js';

export interface ClientOptions {
  /** Connections in the pool. */
  connections?: number;
  connectTimeoutMs?: number;
  /** Time to the response headers. */
  headersTimeoutMs?: number;
  /** Longest silence while a body is moving. */
  bodyIdleTimeoutMs?: number;
  /** Blobs up to this size go up in one PUT; larger ones are streamed with PATCH. */
  monolithicMaxBytes?: number;
}

export interface PullResult {
  status: number;
  bytes: number;
  /** Milliseconds from sending to the response headers. */
  ttfbMs: number;
}

const DEFAULTS: Required<ClientOptions> = {
  connections: 8,
  connectTimeoutMs: 10_000,
  headersTimeoutMs: 60_000,
  bodyIdleTimeoutMs: 60_000,
  monolithicMaxBytes: 1 << 20,
};
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Bounds of one push: its whole deadline, and a signal that cuts it off (a stop); and who it says it is. */
export interface PushLimits {
  deadlineMs?: number;
  signal?: AbortSignal;
  /** The User-Agent of its requests (default drtp's; '' sends none): a replayed push sends its record's. */
  userAgent?: string;
}

interface Call {
  signal?: AbortSignal;
  method: Dispatcher.HttpMethod;
  path: string;
  scope: string;
  headers?: Record<string, string>;
  body?: Dispatcher.DispatchOptions['body'];
  /** A body that cannot be sent twice: no retry after a 401. */
  once?: boolean;
  /** Default drtp's own; '' sends none. */
  userAgent?: string;
}

/** A client's options for a job's timeout (`client_info.timeout_ms`): connecting gets at most 10 s of it. */
export function clientOptions(timeoutMs: number, connections?: number): ClientOptions {
  return {
    connectTimeoutMs: Math.min(10_000, timeoutMs),
    headersTimeoutMs: timeoutMs,
    bodyIdleTimeoutMs: timeoutMs,
    ...(connections === undefined ? {} : { connections }),
  };
}

/**
 * The Docker Registry HTTP API V2 over one undici connection pool. Bodies are streamed both ways:
 * pulls count bytes (and optionally hash them) without keeping them; pushes hash as the bytes go out.
 */
export class RegistryClient {
  private readonly pool: Pool;
  private readonly agent: Agent;
  private readonly auth: Authenticator;
  private readonly options: Required<ClientOptions>;

  constructor(
    readonly endpoint: RegistryEndpoint,
    options: ClientOptions = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
    const connect = { timeout: this.options.connectTimeoutMs, ...tlsOptions(endpoint) };
    const timeouts = { headersTimeout: this.options.headersTimeoutMs, bodyTimeout: this.options.bodyIdleTimeoutMs };
    // Over HTTP/2 one connection carries them all, as streams (a Go client's one connection per host).
    const h2 = endpoint.version === 'h2';
    const dialOptions = {
      connectTimeoutMs: this.options.connectTimeoutMs,
      headersTimeoutMs: this.options.headersTimeoutMs,
      bodyTimeoutMs: this.options.bodyIdleTimeoutMs,
      streams: this.options.connections,
    };
    this.pool = new Pool(endpoint.origin, {
      connections: h2 ? 1 : this.options.connections,
      factory: dialFactory(endpoint, dialOptions),
    });
    // Token realms and redirect targets are other origins.
    this.agent = new Agent({ connect, ...timeouts });
    this.auth = new Authenticator(endpoint.credentials, this.agent);
  }

  /** `GET /v2/`: reachable, and credentials (if any) accepted. */
  async ping(): Promise<void> {
    const res = await this.call({ method: 'GET', path: '/v2/', scope: '' });
    const body = await res.body.text();
    if (res.statusCode !== 200) throw httpError(res.statusCode, `GET ${this.endpoint.name}/v2/`, body);
  }

  /** Whether the registry has the blob in the repository. */
  async hasBlob(repo: string, digest: string): Promise<boolean> {
    const path = `/v2/${repo}/blobs/${digest}`;
    const res = await this.call({ method: 'HEAD', path, scope: pullScope(repo) });
    await res.body.dump();
    if (res.statusCode === 200) return true;
    if (res.statusCode === 404) return false;
    throw httpError(res.statusCode, `HEAD ${this.endpoint.name}${path}`, '');
  }

  /** Pulls a blob, counting its bytes (and checking its digest with `verify`); follows redirects. */
  async pullBlob(repo: string, digest: string, verify = false): Promise<PullResult> {
    const path = `/v2/${repo}/blobs/${digest}`;
    const started = performance.now();
    let res = await this.call({ method: 'GET', path, scope: pullScope(repo) });
    if (REDIRECTS.has(res.statusCode) && res.headers.location !== undefined) {
      await res.body.dump();
      res = await this.followRedirect(String(res.headers.location), repo, path);
    }
    const ttfbMs = performance.now() - started;
    if (res.statusCode !== 200)
      throw httpError(res.statusCode, `GET ${this.endpoint.name}${path}`, await res.body.text());
    const hash: Hash | undefined = verify ? createHash('sha256') : undefined;
    let bytes = 0;
    try {
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        bytes += chunk.length;
        hash?.update(chunk);
      }
    } catch (err) {
      throw transportError(err, `GET ${this.endpoint.name}${path}`);
    }
    if (hash !== undefined) {
      const actual = `sha256:${hash.digest('hex')}`;
      if (actual !== digest)
        throw new DrtpError('E_DIGEST_MISMATCH', `GET ${this.endpoint.name}${path}: content hashes to ${actual}`);
    }
    return { status: res.statusCode, bytes, ttfbMs };
  }

  /**
   * Pushes content as a blob of `repo` in one pass over the data and returns its digest: small blobs in
   * one monolithic PUT, large ones as one streamed PATCH hashed on the way, then the closing PUT.
   */
  async pushBlob(repo: string, content: BlobContent, limits: PushLimits = {}): Promise<string> {
    const what = `push to ${this.endpoint.name}/v2/${repo}`;
    const deadline =
      limits.deadlineMs === undefined ? undefined : AbortSignal.timeout(Math.max(1, Math.ceil(limits.deadlineMs)));
    const signals = [deadline, limits.signal].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals);
    try {
      return await this.push(repo, content, what, signal, limits.userAgent);
    } catch (err) {
      if (deadline?.aborted === true) throw deadlineError(what, limits.deadlineMs as number);
      if (limits.signal?.aborted === true) throw interruptedError(what);
      throw err;
    }
  }

  private async push(
    repo: string,
    content: BlobContent,
    what: string,
    signal: AbortSignal | undefined,
    userAgent: string | undefined,
  ): Promise<string> {
    const scope = pushScope(repo);
    let location = await this.startUpload(repo, scope, signal, userAgent);
    let digest: string;
    if (content.size <= this.options.monolithicMaxBytes) {
      const body = Buffer.concat([...content.chunks()]);
      digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
      const res = await this.call({
        method: 'PUT',
        path: withDigest(location, digest),
        scope,
        body,
        headers: octets(body.length),
        once: true,
        signal,
        userAgent,
      });
      const text = await res.body.text();
      if (res.statusCode !== 201) throw httpError(res.statusCode, what, text);
      return digest;
    }
    const hash = createHash('sha256');
    const stream = async function* (): AsyncGenerator<Uint8Array> {
      for (const chunk of content.chunks()) {
        hash.update(chunk);
        yield chunk;
      }
    };
    const patch = await this.call({
      method: 'PATCH',
      path: location,
      scope,
      body: Readable.from(stream(), { objectMode: false }),
      headers: { 'content-type': 'application/octet-stream' },
      once: true,
      signal,
      userAgent,
    });
    const patchText = await patch.body.text();
    if (patch.statusCode !== 202) throw httpError(patch.statusCode, what, patchText);
    location = this.relative(String(patch.headers.location ?? location));
    digest = `sha256:${hash.digest('hex')}`;
    const put = await this.call({
      method: 'PUT',
      path: withDigest(location, digest),
      scope,
      headers: octets(0),
      once: true,
      signal,
      userAgent,
    });
    const putText = await put.body.text();
    if (put.statusCode !== 201) throw httpError(put.statusCode, what, putText);
    return digest;
  }

  async pullManifest(
    repo: string,
    reference: string,
    accept: string[],
  ): Promise<{ status: number; body: Buffer; mediaType: string }> {
    const path = `/v2/${repo}/manifests/${reference}`;
    const res = await this.call({
      method: 'GET',
      path,
      scope: pullScope(repo),
      headers: { accept: accept.join(', ') },
    });
    const body = Buffer.from(await res.body.arrayBuffer());
    if (res.statusCode !== 200) throw httpError(res.statusCode, `GET ${this.endpoint.name}${path}`, body.toString());
    return { status: res.statusCode, body, mediaType: String(res.headers['content-type'] ?? '') };
  }

  async pushManifest(repo: string, reference: string, body: Buffer, mediaType: string): Promise<string> {
    const path = `/v2/${repo}/manifests/${reference}`;
    const res = await this.call({
      method: 'PUT',
      path,
      scope: pushScope(repo),
      body,
      headers: { 'content-type': mediaType, 'content-length': String(body.length) },
    });
    const text = await res.body.text();
    if (res.statusCode !== 201) throw httpError(res.statusCode, `PUT ${this.endpoint.name}${path}`, text);
    return String(res.headers['docker-content-digest'] ?? `sha256:${createHash('sha256').update(body).digest('hex')}`);
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.close(), this.agent.close()]);
  }

  private async startUpload(
    repo: string,
    scope: string,
    signal: AbortSignal | undefined,
    userAgent: string | undefined,
  ): Promise<string> {
    const path = `/v2/${repo}/blobs/uploads/`;
    const res = await this.call({ method: 'POST', path, scope, headers: octets(0), signal, userAgent });
    const text = await res.body.text();
    if (res.statusCode !== 202 || res.headers.location === undefined)
      throw httpError(res.statusCode, `POST ${this.endpoint.name}${path}`, text);
    return this.relative(String(res.headers.location));
  }

  /** A Location as a path on this registry's origin (registries may answer with absolute URLs). */
  private relative(location: string): string {
    const url = new URL(location, this.endpoint.origin);
    if (url.origin !== this.endpoint.origin)
      throw new DrtpError(
        'E_REGISTRY_HTTP',
        `${this.endpoint.name} sent an upload location on another origin (${url.origin})`,
      );
    return `${url.pathname}${url.search}`;
  }

  /** One request, retried once after a 401 that taught the authenticator what to send. */
  private async call(c: Call): Promise<Dispatcher.ResponseData> {
    const unsendable = unsendablePath(c.path);
    if (unsendable !== undefined)
      throw new DrtpError('E_INVALID_REQUEST', `${c.method} ${this.endpoint.name}: ${unsendable}`);
    const what = `${c.method} ${this.endpoint.name}${c.path}`;
    for (let attempt = 0; ; attempt++) {
      const userAgent = c.userAgent ?? drtpUserAgent();
      const headers: Record<string, string> = {
        ...(userAgent === '' ? {} : { 'user-agent': userAgent }),
        ...c.headers,
      };
      const authorization = this.auth.header(c.scope);
      if (authorization !== undefined) headers.authorization = authorization;
      let res: Dispatcher.ResponseData;
      try {
        res = await this.pool.request({ method: c.method, path: c.path, headers, body: c.body, signal: c.signal });
      } catch (err) {
        throw transportError(err, what);
      }
      if (res.statusCode !== 401 || c.once) return res;
      await res.body.dump();
      const rejected = new DrtpError('E_REGISTRY_HTTP', `${what}: HTTP 401 (credentials rejected)`, {
        statusCode: 401,
      });
      if (attempt > 0) throw rejected;
      if (
        !(await this.auth.onUnauthorized(res.headers['www-authenticate'], c.scope, this.endpoint.name, authorization))
      )
        throw rejected;
    }
  }

  /** Follows a pull redirect; the registry's Authorization goes only to the registry's own origin. */
  private async followRedirect(location: string, repo: string, from: string): Promise<Dispatcher.ResponseData> {
    const url = new URL(location, this.endpoint.origin);
    const headers: Record<string, string> = { 'user-agent': drtpUserAgent() };
    if (url.origin === this.endpoint.origin) {
      const authorization = this.auth.header(pullScope(repo));
      if (authorization !== undefined) headers.authorization = authorization;
    }
    try {
      return await this.agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers,
      });
    } catch (err) {
      throw transportError(err, `GET ${url.origin}${url.pathname} (redirected from ${this.endpoint.name}${from})`);
    }
  }
}

export function pullScope(repo: string): string {
  return `repository:${repo}:pull`;
}

export function pushScope(repo: string): string {
  return `repository:${repo}:pull,push`;
}

function withDigest(location: string, digest: string): string {
  return `${location}${location.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`;
}

function octets(length: number): Record<string, string> {
  return { 'content-type': 'application/octet-stream', 'content-length': String(length) };
}
