/**
 * The one actor runtime every master and worker runs on: a Piscina pool of a worker entry, a task per
 * share, and for each task a control channel that comlink carries both ways (the worker calls the
 * master's API, the master calls the worker's). A task's result is data, `{ok: true, value}` or
 * `{ok: false, error}`, so an error keeps its code and exit status across the thread. The protocol is
 * checked here, once, for every entry.
 */
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { MessageChannel, type MessagePort, type TransferListItem } from 'node:worker_threads';
import { createRequire } from 'node:module';
import * as Comlink from 'comlink';
import { Piscina } from 'piscina';
import { DrtpError, isDrtpError, type ErrorData } from '../lib/errors.js';
import { PROTOCOL_VERSION, type WorkerEntry } from './messages.js';

/**
 * Worker isolates are created without V8's memory reducer, which starts full collections of an isolate
 * whose allocation rate drops, to give memory back: a client actor at a registry's pace looks like that
 * between answers, and drtp's heaps are small and live for the whole run (the trace is off-heap). A V8
 * flag cannot go in a worker's execArgv; it is process-wide and applies to isolates created after it
 * is set, so it is set here, where drtp creates workers, not when this module is imported: a program
 * that imports drtp's modules without starting a pool keeps V8's defaults, and the master (created
 * before) keeps its reducer.
 */
let reducerOff = false;
function workersWithoutMemoryReducer(): void {
  if (reducerOff) return;
  setFlagsFromString('--no-memory-reducer');
  reducerOff = true;
}

// comlink's Node adapter: its UMD build exports the function itself, where its types declare a default export.
const nodeEndpoint = createRequire(import.meta.url)('comlink/dist/umd/node-adapter.js') as (
  port: MessagePort,
) => Comlink.Endpoint;

/** A task's result as it crosses the thread. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: ErrorData };

/** What a worker entry receives: the protocol, its task, and the worker's ends of the control channel. */
export interface Envelope<Task> {
  protocolVersion: number;
  task: Task;
  /** The worker calls the master's API on this port. */
  toMaster: MessagePort;
  /** The master calls the worker's API on this port. */
  fromMaster: MessagePort;
}

/** A task under way: the worker's API (comlink), and its result. */
export interface RunningTask<Result, WorkerApi> {
  worker: Comlink.Remote<WorkerApi>;
  result: Promise<Result>;
}

export class ActorPool {
  private readonly pool: Piscina;

  /**
   * A pool of `threads` workers running `entry`: the `.js` next to this module (dist/, or the `.ts` under
   * tap's loader), or another module's URL (tests' fixture entries).
   */
  constructor(entry: WorkerEntry | URL, threads = availableParallelism()) {
    const n = Math.max(1, Math.floor(threads));
    workersWithoutMemoryReducer();
    this.pool = new Piscina({
      filename: (entry instanceof URL ? entry : new URL(`./${entry}.js`, import.meta.url)).href,
      minThreads: n,
      maxThreads: n,
      // One long task per worker: tasks must not queue behind each other.
      concurrentTasksPerWorker: 1,
      // Piscina's own task-timing histograms: never read.
      recordTiming: false,
      idleTimeout: 1000,
    });
  }

  /**
   * Starts `task` on a worker with `master` as the API the worker may call; `transfer` moves buffers
   * with the task. The result rejects with the worker's error, its code kept.
   */
  run<Task, Result, WorkerApi = object>(
    task: Task,
    master: object = {},
    transfer: readonly TransferListItem[] = [],
  ): RunningTask<Result, WorkerApi> {
    const up = new MessageChannel();
    const down = new MessageChannel();
    Comlink.expose(master, nodeEndpoint(up.port1));
    const worker = Comlink.wrap<WorkerApi>(nodeEndpoint(down.port1));
    const envelope: Envelope<Task> = {
      protocolVersion: PROTOCOL_VERSION,
      task,
      toMaster: up.port2,
      fromMaster: down.port2,
    };
    const result = (
      this.pool.run(envelope, { transferList: [up.port2, down.port2, ...transfer] as never }) as Promise<
        Outcome<Result>
      >
    )
      .then((outcome) => {
        if (!outcome.ok) throw DrtpError.fromData(outcome.error);
        return outcome.value;
      })
      .finally(() => {
        up.port1.close();
        down.port1.close();
      });
    return { worker, result };
  }

  async destroy(): Promise<void> {
    await this.pool.destroy();
  }
}

/** What a worker's task body is given: the master's API, and a way to offer its own. */
export interface ActorContext<MasterApi> {
  master: Comlink.Remote<MasterApi>;
  /** Offers the worker's API (e.g. `stop()`) to the master for the rest of the task. */
  expose(api: object): void;
}

/**
 * A worker entry (the module's default export) running `body` for each task: the protocol checked, the
 * master's API at hand, and whatever `body` returns or throws sent back as data (an error not of drtp's
 * is a bug: E_INTERNAL with the worker's stack).
 */
export function actorEntry<Task, Result, MasterApi = object>(
  body: (task: Task, context: ActorContext<MasterApi>) => Promise<Result>,
): (envelope: Envelope<Task>) => Promise<Outcome<Result>> {
  return async (envelope) => {
    const master = Comlink.wrap<MasterApi>(nodeEndpoint(envelope.toMaster));
    try {
      if (envelope.protocolVersion !== PROTOCOL_VERSION)
        throw new DrtpError(
          'E_INTERNAL',
          `this worker speaks protocol ${PROTOCOL_VERSION}, the master ${envelope.protocolVersion}`,
        );
      const expose = (api: object): void => Comlink.expose(api, nodeEndpoint(envelope.fromMaster));
      return { ok: true, value: await body(envelope.task, { master, expose }) };
    } catch (err) {
      return {
        ok: false,
        error: isDrtpError(err) ? err.toData() : { code: 'E_INTERNAL', message: String((err as Error)?.stack ?? err) },
      };
    } finally {
      envelope.toMaster.close();
      envelope.fromMaster.close();
    }
  };
}
