/**
 * The replay contract: what the engine, the ports that answer its requests (a registry over HTTP, a
 * simulated one) and the result writers share. A leaf module: it imports nothing of drtp.
 */

/**
 * A run of consecutive rows of one worker's share, in due order. Shares arrive in segments so that a
 * worker holds a window of its share, not all of it: a trace of tens of millions of requests replays
 * in bounded memory. `target`, `repo`, `agent` and `rowId` are for the port and the results; the engine
 * does not read them.
 */
export interface Segment {
  length: number;
  /** Due time, ms after the replay's start. */
  due: Float64Array;
  op: Uint8Array;
  size: Float64Array;
  registry: Uint8Array;
  actor: Uint32Array;
  target: Uint32Array;
  repo: Uint32Array;
  /** The User-Agent to send, as a string id ('' : none). */
  agent: Uint32Array;
  rowId: Uint32Array;
}

/** Whatever answers requests: a real registry over HTTP, or a simulated one. */
export interface RegistryPort {
  /**
   * Starts the request in `segment` at `index` (engine row `row`); must call `engine.complete(row, ...)`
   * exactly once, now or later.
   */
  start(row: number, segment: Segment, index: number, engine: CompletionSink): void;
  close(): Promise<void>;
}

/** Why a request failed: an error code (lib/errors.ts's) and what happened. */
export interface Failure {
  code: string;
  message: string;
}

/** What a port reports to: the engine, as the port sees it. */
export interface CompletionSink {
  /**
   * `row` is done: `failure` null for an answer (a status other than 2xx still counts as failed, by its
   * status), else why it failed (status 0 for transport failures); `firstByteAt` is the `clock()` time
   * the response headers came (0 if unknown).
   */
  complete(row: number, status: number, bytes: number, failure: Failure | null, firstByteAt?: number): void;
  /** The clock the engine measures with: ports stamp the first byte with it. */
  clock(): number;
}

/** The engine's timer needs, injectable so that a simulated replay runs in virtual time. */
export interface Timers {
  /** Calls `fn` once the engine's clock reaches `at` (in `now()` units). Returns a cancel function. */
  at(fn: () => void, at: number): () => void;
}

/** Counters and histograms of one engine, in the form that crosses threads. */
export interface EngineReport {
  sent: number;
  ok: number;
  failed: number;
  late: number;
  /** Requests held behind their own client's requests in flight (open loop). */
  queued: number;
  /** Requests sent more than late_ms after due, whatever held them (the original's onTime). */
  lateSent: number;
  bytes: number;
  /** Per op: [sent, ok, failed, bytes]. */
  ops: number[][];
  errors: Record<string, number>;
  /** Histograms as Recorders' sparse counts, by name: `all.latency`, `GET blob.service`, `size:<1MB.latency`, `registry:0.latency`, ... */
  histograms: Record<string, Float64Array>;
  firstSentMs: number;
  lastDoneMs: number;
}

/** One finished request, handed to the result sink (a row of the NDJSON results); reused between calls. */
export interface Completion {
  /** Engine row; `segment` and `index` locate its columns. */
  row: number;
  segment: Segment;
  index: number;
  dueMs: number;
  sentMs: number;
  doneMs: number;
  ttfbMs: number;
  status: number;
  bytes: number;
  /** Why it failed, when it failed without an answer (a non-2xx answer fails by its status). */
  failure: Failure | null;
  onTime: boolean;
  /** How long a request released on time waited behind its own client's requests in flight, ms (0: not held). */
  queuedMs: number;
}
