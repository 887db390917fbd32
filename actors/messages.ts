import type { EngineReport } from '../lib/contract/replay.js';
import type { FilePartial } from '../lib/analyze/pass.js';
import type { ErrorData } from '../lib/errors.js';
import type { RegistryEndpoint } from '../lib/registry/endpoint.js';
import type { WarmupItem } from '../lib/registry/warmup-plan.js';
import type { SegmentBatch } from '../lib/planning/router.js';
import type { PythonModelOptions } from '../lib/simulation/python-model.js';
import type { SecondCounts } from '../lib/replay/accounting.js';
import type { SharedTable } from '../lib/trace/shared-table.js';
import type { TraceReadStats } from '../lib/trace/load.js';
import type { SimulatedReplay } from '../lib/simulation/simulated-registry.js';
import type { RunSummary } from '../lib/stats/summary.js';

/**
 * Everything that crosses between a master and its workers: each worker entry's task (sent with
 * Piscina, see runtime.ts) and result, and the APIs the two sides call on each other over comlink. A
 * worker that needs a new kind of call adds a method here. Errors travel as ErrorData (code +
 * message), never as Error objects: custom fields do not survive a thread hop.
 */
export const PROTOCOL_VERSION = 3;

/** What a master can ask of any worker that runs for long. */
export interface StoppableWorker {
  /** Stop starting new work; what is in flight finishes, and the task returns what was done. */
  stop(): void;
}

/** Master -> warmup worker: push these items to this registry. */
export interface WarmupTask {
  registry: RegistryEndpoint;
  items: WarmupItem[];
  /** Digests a previous warmup recorded, by URI: checked with HEAD before pushing again. */
  known: Record<string, string>;
  /** Pushes in flight in this worker. */
  concurrency: number;
  random: boolean;
  /** Longest wait for response headers, or between body bytes (`client_info.timeout_ms`). */
  timeoutMs: number;
  /** Layers as gzip-compressed tars of their traced size (`warmup.manifests: image`). */
  archives: boolean;
}

/**
 * A layer as `warmup.manifests: image` pushes it: a real archive (its diff_id, the sha256 of the tar
 * inside), or, too small for one, the plain content (its diff_id its digest).
 */
export type { LayerShape, WarmupReport } from '../lib/registry/warmup-ledger.js';
import type { WarmupReport } from '../lib/registry/warmup-ledger.js';

/** The master's side of a warmup task. */
export interface WarmupMaster {
  /** One blob done (awaited: every report is in the master before the task ends). */
  blob(report: WarmupReport): void;
}

export interface WarmupTaskResult {
  pushed: number;
  present: number;
  failed: number;
  bytes: number;
  stopped: boolean;
}

/** Master -> client worker: replay this share of the trace. */
export interface ReplayTask {
  registries: RegistryEndpoint[];
  /** The share's first segment (its buffers moved with the task); the rest come from `nextSegment()`. */
  first: SegmentBatch;
  /** Ask for the next segment when fewer rows than this are left to release or send. */
  lowWater: number;
  wait: boolean;
  inFlight: number;
  lateMs: number;
  /** Epoch milliseconds at which every worker starts the clock. */
  startAtEpochMs: number;
  random: boolean;
  connectTimeoutMs: number;
  timeoutMs: number;
  /** Longest time of one whole request (`client_info.deadline_ms`; default: derived from its size). */
  deadlineMs?: number;
  /** Hash every blob GET's body against its digest (`client_info.verify_digests`). */
  verifyDigests?: boolean;
  /** Fail a GET of other than the warmed size (`client_info.check_sizes`). */
  checkSizes?: boolean;
  /**
   * The results file (the master's temp file) that this worker appends its NDJSON rows to, in batches
   * (O_APPEND writes do not interleave); undefined for no rows.
   */
  resultsFile: string | undefined;
  /** The results file as errors name it (the destination, not the temp file rows go to). */
  resultsShownAs?: string;
  /** Manifest reads go to /manifests/ with an OCI Accept header (warmup pushed image manifests). */
  manifestsAsImages: boolean;
  /** The master's loopback server the worker rehearses against before the start (none: no rehearsal). */
  rehearsalOrigin: string | undefined;
  /** Whether the master shows live progress: without it a worker sends none, nor keeps its latency. */
  progress: boolean;
  /** Whether progress carries each second's counts per class (interval logs, live metrics). */
  perSecond: boolean;
}

/** A client worker's progress, once a second while the master shows it. */
export interface ReplayProgressDelta {
  done: number;
  ok: number;
  failed: number;
  bytes: number;
  late: number;
  /** Requests held behind their client's own requests in flight, so far. */
  queued: number;
  /** Latency counts since the last progress, a Recorder's sparse delta (copied: see client.ts). */
  interval: Float64Array;
  /** Requests sent so far (sent - done are in flight). */
  sent: number;
  /** Per op: sent, ok, failed, bytes so far. */
  ops: number[][];
  /** Per registry and op: ok, failed so far (see ReplayAccounting.byRegistry). */
  byRegistry: Float64Array;
  /** The seconds of per-class counts completed since the last progress (with `perSecond`). */
  seconds: SecondCounts[];
  /** Every second before this one is complete in this worker (Infinity at the end). */
  secondsBefore: number;
  /** The last progress: every request is done. */
  final: boolean;
}

/** The master's side of a replay task. */
export interface ReplayMaster {
  /** The next segment of the worker's share (its buffers moved); a null segment when there is no more. */
  nextSegment(): SegmentBatch;
  progress(delta: ReplayProgressDelta): void;
  /** The worker cannot write its result rows (a full disk): the run must stop. */
  failed(error: ErrorData): void;
  /** The kernel ids of the threads that send an open loop's requests (see SenderPriority). */
  senderThreads(threadIds: (number | undefined)[]): void;
}

/** Master -> simulator worker: run one point of a sweep. */
export interface SimulateTask {
  table: SharedTable;
  /** A built-in model name, or the absolute path of a user's module. */
  model: string;
  /** The point's arguments; undefined when the configuration gives none (a user's init(requests)). */
  args: Record<string, unknown> | undefined;
  /** With `simulate.latency`: replay the trace through the model as a registry, in virtual time. */
  registry?: SimulatedReplay;
  /** A Python model's interpreter (`simulate.python`) and where its prints go. */
  python?: PythonModelOptions;
}

/** A point's stats (and, as a registry, its run summary). */
export interface SimulatePoint {
  stats: unknown;
  summary?: RunSummary;
}

/** Master -> analyzer worker: characterize one trace file. */
/** Master -> importer worker: read one trace file, or the records starting in a byte range of one, into a table. */
export interface ImportTask {
  file: string;
  /** Small whole files read as one task, in order, into one table (`file` is the first). */
  group?: string[];
  strict: boolean;
  chunk?: { from: number; stopAt: number };
}

/**
 * What an importer worker read: its table in shared memory (no copy back), and what reading found; for a
 * chunk, `next` is the offset of the first record at or past its end.
 */
export interface ImportedFile {
  table: SharedTable;
  stats: TraceReadStats;
  next?: number;
}

export interface AnalyzeTask {
  /** Files analyzed in order (one large file, or a group of small ones: a task each would cost more than they do). */
  files: string[];
  strict: boolean;
}

/** One worker entry's protocol: its task, its result, and the API each side offers the other. */
export interface Protocol<
  Task,
  Result,
  MasterApi extends object = Record<never, never>,
  WorkerApi extends object = Record<never, never>,
> {
  task: Task;
  result: Result;
  master: MasterApi;
  worker: WorkerApi;
}

/** Every worker entry in actors/, by file name, with its protocol: starting one names the entry, and every type follows. */
export interface Protocols {
  client: Protocol<ReplayTask, EngineReport, ReplayMaster, StoppableWorker>;
  warmup: Protocol<WarmupTask, WarmupTaskResult, WarmupMaster, StoppableWorker>;
  simulator: Protocol<SimulateTask, SimulatePoint>;
  analyzer: Protocol<AnalyzeTask, FilePartial[]>;
  importer: Protocol<ImportTask, ImportedFile>;
}

export type WorkerEntry = keyof Protocols;
