import { DrtpError } from '../errors.js';

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

/** Maps a transport failure (undici or socket error) to a typed registry error. */
export function transportError(err: unknown, what: string): DrtpError {
  if (err instanceof DrtpError) return err;
  const code = (err as { code?: string }).code ?? '';
  const message = (err as Error).message ?? String(err);
  if (TIMEOUT_CODES.has(code)) return new DrtpError('E_REGISTRY_TIMEOUT', `${what}: ${message} (${code})`, { cause: err });
  return new DrtpError('E_REGISTRY_CONNECT', `${what}: ${message}${code ? ` (${code})` : ''}`, { cause: err });
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
  return new DrtpError('E_REGISTRY_HTTP', `${what}: HTTP ${status}${detail ? ` (${detail})` : ''}`, { statusCode: status });
}
