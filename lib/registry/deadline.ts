import { DrtpError } from '../errors.js';

/** The slowest average a body may move at under the default deadline: 1 MB/s, far below any working registry. */
const FLOOR_BYTES_PER_MS = 1000;

/**
 * How long one whole request (headers and all of its body) may take: `fixedMs` when the configuration
 * sets `client_info.deadline_ms`, else `timeout_ms` plus the traced size at 1 MB/s. `timeout_ms` alone
 * bounds only silences, so a registry trickling a byte a second would hold a request forever.
 */
export function requestDeadlineMs(timeoutMs: number, bytes: number, fixedMs: number | undefined): number {
  return fixedMs ?? timeoutMs + bytes / FLOOR_BYTES_PER_MS;
}

/** The failure of a request that outlived its deadline. */
export function deadlineError(what: string, deadlineMs: number): DrtpError {
  return new DrtpError(
    'E_REGISTRY_TIMEOUT',
    `${what}: not answered whole within its deadline of ${Math.round(deadlineMs)} ms (client_info.deadline_ms)`,
  );
}

/** The failure of a request still in flight when a stop's grace ran out. */
export function interruptedError(what: string): DrtpError {
  return new DrtpError('E_INTERRUPTED', `${what}: cut off in flight, the run was stopped`);
}

/** After a stop, requests in flight get this long to finish; then they are cut off, so a stop always ends. */
export const STOP_GRACE_MS = 2000;

/** Go's HTTP client gives up after 10 redirects; so does drtp. */
export const MAX_REDIRECTS = 10;
