import { DrtpError } from '../errors.js';

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);
/** Failures of this machine, not of the registry: no file descriptor, port or memory left. */
const RESOURCE_CODES = new Set(['EMFILE', 'ENFILE', 'EADDRNOTAVAIL', 'ENOBUFS', 'ENOMEM']);

/**
 * Maps a transport failure (undici or socket error) to a typed error: the registry's (timeout,
 * connection) unless undici refused the request itself or this machine ran out of something.
 */
export function transportError(err: unknown, what: string): DrtpError {
  if (err instanceof DrtpError) return err;
  const code = (err as { code?: string }).code ?? '';
  const message = (err as Error).message ?? String(err);
  if (TIMEOUT_CODES.has(code))
    return new DrtpError('E_REGISTRY_TIMEOUT', `${what}: ${message} (${code})`, { cause: err });
  if (code === 'UND_ERR_INVALID_ARG')
    return new DrtpError('E_INVALID_REQUEST', `${what}: ${message} (${code})`, { cause: err });
  if (RESOURCE_CODES.has(code))
    return new DrtpError(
      'E_RESOURCE',
      `${what}: ${message} (${code}; raise the limit of open files with \`ulimit -n\`, or replay with fewer clients or in_flight)`,
      { cause: err },
    );
  return new DrtpError('E_REGISTRY_CONNECT', `${what}: ${message}${code ? ` (${code})` : ''}`, { cause: err });
}

/**
 * Why `path` cannot go into a request line as written (undici refuses it, and a client that refused
 * one request may never send another), or undefined when it can: printable ASCII, no space.
 */
export function unsendablePath(path: string): string | undefined {
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) return `the path has ${JSON.stringify(path[i])} at ${i}: ${JSON.stringify(path)}`;
  }
  return undefined;
}

/** An unexpected HTTP status, with the registry's own error text when it sent one. */
export function httpError(status: number, what: string, body: string): DrtpError {
  let detail = '';
  try {
    const parsed = JSON.parse(body) as { errors?: { code?: string; message?: string }[] };
    detail = (parsed.errors ?? []).map((e) => [e.code, e.message].filter(Boolean).join(' ')).join('; ');
  } catch {
    detail = body.trim().slice(0, 200);
  }
  return new DrtpError('E_REGISTRY_HTTP', `${what}: HTTP ${status}${detail ? ` (${detail})` : ''}`, {
    statusCode: status,
  });
}
