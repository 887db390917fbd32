import type { MessagePort } from 'node:worker_threads';
import type { ErrorData } from '../lib/errors.js';
import type { RegistryEndpoint } from '../lib/registry/endpoint.js';
import type { WarmupItem } from '../lib/registry/warmup-plan.js';
import type { EngineReport } from '../lib/contract/replay.js';
import type { SegmentBatch } from '../lib/schedule/router.js';
import type { SharedTable } from '../lib/trace/shared-table.js';
import type { FilePartial } from '../lib/analyze/pass.js';
import type { SimulatedReplay } from '../lib/cache/simulated-registry.js';
import type { RunSummary } from '../lib/stats/summary.js';

/**
 * Every message an actor sends or receives, as discriminated unions on `type`. Errors travel as
 * ErrorData (code + message), never as Error objects: custom fields do not survive a thread hop.
 */
export const PROTOCOL_VERSION = 2;

/** Master -> warmup worker: push these items to this registry (the task itself, via Piscina). */
export interface WarmupTask {
  type: 'warmup';
  protocolVersion: number;
  registry: RegistryEndpoint;
  items: WarmupItem[];
  /** Digests a previous warmup recorded, by URI: checked with HEAD before pushing again. */
  known: Record<string, string>;
  /** Pushes in flight in this worker. */
  concurrency: number;
  random: boolean;
  /** Longest wait for response headers, or between body bytes (`client_info.timeout_ms`). */
  timeoutMs: number;
  /** Where the worker reports each blob and listens for `stop`. */
  port: MessagePort;
}

/** Warmup worker -> master, on the task's port: one blob done. */
export type WarmupReport =
  | { type: 'pushed'; uri: string; digest: string; bytes: number; registry: string }
  | { type: 'present'; uri: string; digest: string; registry: string }
  | { type: 'failed'; uri: string; error: ErrorData; registry: string };

/**
 * Any worker -> master, last on its port: everything reported has been sent. (A port's `close` event
 * is not a reliable end marker for ports transferred through Piscina.)
 */
export type PortDone = { type: 'done' };

/** Master -> any worker, on its port. */
export type ControlMessage = { type: 'stop' };

/** Warmup worker -> master: the task's result. */
export interface WarmupTaskResult {
  pushed: number;
  present: number;
  failed: number;
  bytes: number;
  stopped: boolean;
}

/** Master -> client worker: replay this share of the trace (the task itself, via Piscina). */
export interface ReplayTask {
  type: 'replay';
  protocolVersion: number;
  registries: RegistryEndpoint[];
  /** The share's first segment; the rest come as `segment` messages on the port, when asked for. */
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
  port: MessagePort;
}

/** Master -> client worker, on the port: the next segment of its share (segment null: no more). */
export type SegmentMessage = { type: 'segment' } & SegmentBatch;

/** Client worker -> master, on the task's port. */
export type ReplayReport =
  | { type: 'progress'; done: number; ok: number; failed: number; bytes: number; late: number; /** Latency counts since the last progress, a Recorder's sparse delta (copied: see client.ts). */ interval: Float64Array }
  | { type: 'need' }
  /** The worker cannot write its result rows (a full disk): the run must stop. */
  | { type: 'failed'; error: ErrorData };

/** A replay's report, or why the worker could not complete it (its error as data: the code survives). */
export type ReplayTaskResult = { ok: true; report: EngineReport } | { ok: false; error: ErrorData };

/** Master -> simulator worker: run one point of a sweep (the task itself, via Piscina). */
export interface SimulateTask {
  type: 'simulate';
  protocolVersion: number;
  table: SharedTable;
  /** A built-in model name, or the absolute path of a user's module. */
  model: string;
  /** The point's arguments; undefined when the configuration gives none (a user's init(requests)). */
  args: Record<string, unknown> | undefined;
  /** With `simulate.latency`: replay the trace through the model as a registry, in virtual time. */
  registry?: SimulatedReplay;
}

/** A point's stats (and, as a registry, its run summary), or why it failed. */
export type SimulateTaskResult = { ok: true; stats: unknown; summary?: RunSummary } | { ok: false; error: ErrorData };

/** Master -> analyzer worker: characterize one trace file. */
export interface AnalyzeTask {
  type: 'analyze';
  protocolVersion: number;
  file: string;
  strict: boolean;
}

export type AnalyzeTaskResult = { ok: true; partial: FilePartial } | { ok: false; error: ErrorData };
