import { Kind, Method, type MethodCode } from './request.js';
import type { StringPool } from './string-pool.js';
import type { TraceTable } from './table.js';

/** `trace.limit` of the configuration, as the original player reads it. */
export type TraceLimit = { type: 'requests'; amount: number } | { type: 'seconds'; amount: number };

export interface SelectOptions {
  /** Methods to replay; the original player's filter is GET and PUT. */
  methods?: readonly MethodCode[];
  limit?: TraceLimit;
  /**
   * Keep records whose traced status is 400 or more. The original player kept them (its filter never
   * looked at the status); drtp drops them by default, since replaying a traced 404 as a successful
   * pull of generated content measures a request production never served.
   */
  includeFailed?: boolean;
}

/** Why records of a trace are not replayed; every row of the table lands in exactly one count. */
export interface SelectionCounts {
  replayable: number;
  /** Method not among those replayed (HEAD, POST, PATCH, DELETE, ...). */
  otherMethod: number;
  /** URI neither a blob nor a manifest. */
  otherPath: number;
  /** URI that cannot be sent as written: a space, a control character or a non-ASCII byte in it. */
  invalidUri: number;
  /** `http.response.written` of 0 or less. */
  noSize: number;
  /** Traced status 400 or more (unless `includeFailed`). */
  failed: number;
  /** Replayable, but past `trace.limit`. */
  beyondLimit: number;
}

export const DEFAULT_METHODS: readonly MethodCode[] = [Method.GET, Method.PUT];

/** How many URIs left out as invalid are kept as examples, JSON-escaped. */
const INVALID_EXAMPLES = 10;

/**
 * The replayable requests of a trace, as the original player chose them: method among `methods`, URI
 * a blob or a manifest, size > 0 (and, unless `includeFailed`, a traced status below 400); then the first `amount` of them, or those within `amount` seconds
 * of the first one (inclusive). The input must be in time order.
 */
export function selectRequests(
  table: TraceTable,
  options: SelectOptions = {},
): { table: TraceTable; counts: SelectionCounts; invalidUris: string[] } {
  const methods = options.methods ?? DEFAULT_METHODS;
  let methodMask = 0;
  for (const m of methods) methodMask |= 1 << m;
  const counts: SelectionCounts = {
    replayable: 0,
    otherMethod: 0,
    otherPath: 0,
    invalidUri: 0,
    noSize: 0,
    failed: 0,
    beyondLimit: 0,
  };
  const invalidUris: string[] = [];
  const skipFailed = options.includeFailed !== true;
  const { method, kind, size, time, status, repo, object } = table.columns;
  const sendableRepo = sendableStrings(table.pools.repos);
  const sendableObject = sendableStrings(table.pools.objects);
  const rows = new Uint32Array(table.length);
  let n = 0;
  for (let i = 0; i < table.length; i++) {
    if ((methodMask & (1 << method[i])) === 0) counts.otherMethod++;
    else if (kind[i] === Kind.OTHER) counts.otherPath++;
    else if (sendableRepo[repo[i]] === 0 || sendableObject[object[i]] === 0) {
      if (counts.invalidUri++ < INVALID_EXAMPLES) invalidUris.push(JSON.stringify(table.uri(i)));
    } else if (!(size[i] > 0)) counts.noSize++;
    else if (skipFailed && status[i] >= 400) counts.failed++;
    else rows[n++] = i;
  }
  let keep = n;
  const limit = options.limit;
  if (limit?.type === 'requests') keep = Math.min(n, Math.max(0, Math.floor(limit.amount)));
  else if (limit?.type === 'seconds' && n > 0) {
    const end = time[rows[0]] + limit.amount * 1000;
    keep = 0;
    while (keep < n && time[rows[keep]] <= end) keep++;
  }
  counts.replayable = keep;
  counts.beyondLimit = n - keep;
  return { table: table.gather(rows, keep), counts, invalidUris };
}

/**
 * 1 for each string of the pool that can stand in a request path as written (printable ASCII, no
 * space), else 0. undici refuses other paths, and a client that refused one may never send again.
 */
function sendableStrings(pool: StringPool): Uint8Array {
  const out = new Uint8Array(pool.size);
  const { bytes, offsets } = pool;
  for (let id = 0; id < pool.size; id++) {
    let ok = 1;
    for (let b = offsets[id]; b < offsets[id + 1]; b++) {
      const c = bytes[b];
      if (c <= 0x20 || c >= 0x7f) {
        ok = 0;
        break;
      }
    }
    out[id] = ok;
  }
  return out;
}
