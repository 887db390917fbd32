import { spawn } from 'node:child_process';
import { closeSync, openSync, rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { DrtpError } from '../errors.js';

/** A real CNCF Distribution registry (Debian's `docker-registry`) on loopback, with a temp-dir store. */
export interface LocalRegistry {
  /** `127.0.0.1:port`, the form the original configuration writes. */
  host: string;
  url: string;
  port: number;
  pid: number;
  /** The registry's storage directory. */
  root: string;
  /** With `accessLog`: the file the registry writes a combined-format line per request into. */
  accessLog?: string;
  /** Stops the registry by its PID and deletes its storage. */
  stop(): Promise<void>;
}

export interface LocalRegistryOptions {
  /** The registry binary (default `docker-registry` on PATH). */
  binary?: string;
  /** How long to wait for `GET /v2/` to answer, ms. */
  startTimeoutMs?: number;
  /** Serve HTTPS with this certificate and key (PEM files). */
  tls?: { certificate: string; key: string };
  /** Require HTTP Basic against this htpasswd file (bcrypt entries). */
  htpasswd?: string;
  /** Require tokens from this realm, signed by the key of `rootCertBundle`. */
  token?: { realm: string; service: string; issuer: string; rootCertBundle: string };
  /** Keep the registry's access log (a line per request: method, path, HTTP version, status, User-Agent). */
  accessLog?: boolean;
}

/**
 * Starts `docker-registry serve CONFIG` on 127.0.0.1 with a free port and waits until `GET /v2/`
 * answers. Retries on another port if the one picked was taken in between.
 */
export async function startLocalRegistry(options: LocalRegistryOptions = {}): Promise<LocalRegistry> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(options);
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

async function startOnce(options: LocalRegistryOptions): Promise<LocalRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'drtp-registry-'));
  const root = join(dir, 'storage');
  const port = await freePort();
  const config = join(dir, 'config.yml');
  await writeFile(
    config,
    [
      'version: 0.1',
      'log:',
      `  level: ${options.accessLog === true ? 'info' : 'error'}`,
      '  accesslog:',
      `    disabled: ${options.accessLog !== true}`,
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${root}`,
      '  delete:',
      '    enabled: true',
      '  maintenance:',
      '    uploadpurging:',
      '      enabled: false',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '  secret: drtp-local-registry',
      ...(options.tls === undefined
        ? []
        : ['  tls:', `    certificate: ${options.tls.certificate}`, `    key: ${options.tls.key}`]),
      ...authLines(options),
      '',
    ].join('\n'),
  );
  const binary = options.binary ?? 'docker-registry';
  // The access log goes to the registry's stdout.
  const accessLog = join(dir, 'access.log');
  const logFd = options.accessLog === true ? openSync(accessLog, 'w') : 'ignore';
  const child = spawn(binary, ['serve', config], { stdio: ['ignore', logFd, 'pipe'] });
  if (typeof logFd === 'number') closeSync(logFd);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    if (stderr.length < 8192) stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const url = `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`;
  // A process that ends without stopping its registry (a second Ctrl-C) still takes it down.
  const onExit = (): void => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  const stop = async (): Promise<void> => {
    process.off('exit', onExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  const ready = await Promise.race([
    waitForPing(url, options.startTimeoutMs ?? 15000, options.tls !== undefined).then(() => 'ready' as const),
    exited.then(() => 'exited' as const),
    spawnError.then((err) => err),
  ]);
  if (ready !== 'ready') {
    await stop();
    const why =
      ready instanceof Error
        ? `${binary}: ${ready.message} (is docker-registry installed? apt-get install -y docker-registry)`
        : `exited: ${stderr.trim()}`;
    throw new DrtpError('E_REGISTRY_CONNECT', `cannot start a local registry: ${why}`);
  }
  return {
    host: `127.0.0.1:${port}`,
    url,
    port,
    pid: child.pid as number,
    root,
    stop,
    ...(options.accessLog === true ? { accessLog } : {}),
  };
}

function authLines(options: LocalRegistryOptions): string[] {
  if (options.htpasswd !== undefined)
    return ['auth:', '  htpasswd:', '    realm: drtp-test', `    path: ${options.htpasswd}`];
  const t = options.token;
  if (t === undefined) return [];
  return [
    'auth:',
    '  token:',
    `    realm: ${t.realm}`,
    `    service: ${t.service}`,
    `    issuer: ${t.issuer}`,
    `    rootcertbundle: ${t.rootCertBundle}`,
  ];
}

/** Waits until the registry answers `GET /v2/` (200, or 401 when it requires authentication). */
async function waitForPing(url: string, timeoutMs: number, selfSigned: boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const dispatcher = selfSigned ? new Agent({ connect: { rejectUnauthorized: false } }) : undefined;
  while (Date.now() < deadline) {
    try {
      const res = await request(`${url}/v2/`, {
        headersTimeout: 1000,
        bodyTimeout: 1000,
        ...(dispatcher ? { dispatcher } : {}),
      });
      await res.body.dump();
      if (res.statusCode === 200 || res.statusCode === 401) {
        await dispatcher?.close();
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new DrtpError('E_REGISTRY_TIMEOUT', `local registry at ${url} did not answer GET /v2/ within ${timeoutMs} ms`);
}

/** A TCP port free on loopback now (for a server started next). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
