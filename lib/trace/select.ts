import { Kind, Method, type MethodCode } from './request.js';
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
  /** `http.response.written` of 0 or less. */
  noSize: number;
  /** Traced status 400 or more (unless `includeFailed`). */
  failed: number;
  /** Replayable, but past `trace.limit`. */
  beyondLimit: number;
}

export const DEFAULT_METHODS: readonly MethodCode[] = [Method.GET, Method.PUT];

/**
 * The replayable requests of a trace, as the original player chose them: method among `methods`, URI
 * a blob or a manifest, size > 0 (and, unless `includeFailed`, a traced status below 400); then the first `amount` of them, or those within `amount` seconds
 * of the first one (inclusive). The input must be in time order.
 */
export function selectRequests(table: TraceTable, options: SelectOptions = {}): { table: TraceTable; counts: SelectionCounts } {
  const methods = options.methods ?? DEFAULT_METHODS;
  let methodMask = 0;
  for (const m of methods) methodMask |= 1 << m;
  const counts: SelectionCounts = { replayable: 0, otherMethod: 0, otherPath: 0, noSize: 0, failed: 0, beyondLimit: 0 };
  const skipFailed = options.includeFailed !== true;
  const { method, kind, size, time, status } = table.columns;
  const rows = new Uint32Array(table.length);
  let n = 0;
  for (let i = 0; i < table.length; i++) {
    if ((methodMask & (1 << method[i])) === 0) counts.otherMethod++;
    else if (kind[i] === Kind.OTHER) counts.otherPath++;
    else if (!(size[i] > 0)) counts.noSize++;
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
  return { table: table.gather(rows, keep), counts };
}
