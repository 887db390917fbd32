import type { MessagePort } from 'node:worker_threads';
import type { ErrorData } from '../lib/errors.js';
import type { RegistryEndpoint } from '../lib/registry/endpoint.js';
import type { WarmupItem } from '../lib/registry/warmup-plan.js';

/**
 * Every message an actor sends or receives, as discriminated unions on `type`. Errors travel as
 * ErrorData (code + message), never as Error objects: custom fields do not survive a thread hop.
 */
export const PROTOCOL_VERSION = 1;

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
