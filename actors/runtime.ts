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
import { DrtpError, errorData, type ErrorData } from '../lib/errors.js';
import { PROTOCOL_VERSION, type Protocol, type Protocols, type StoppableWorker, type WorkerEntry } from './messages.js';

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

/** Any entry's protocol, as the runtime handles them alike. */
type SomeProtocol = Protocol<unknown, unknown, object, object>;

/**
 * The name the runtime adds to every master API: a worker calls it once its own API is exposed, so the
 * master knows calls to the worker will be answered.
 */
const READY = 'drtpWorkerReady';

/** A task under way: the worker's API (comlink), when that API answers, and the task's result. */
export interface RunningTask<Result, WorkerApi> {
  worker: Comlink.Remote<WorkerApi>;
  /** Resolves once the worker has exposed its API, or its task has ended (then calls to it are not answered). */
  ready: Promise<void>;
  result: Promise<Result>;
}

export class ActorPool<P extends SomeProtocol> {
  private readonly pool: Piscina;

  /** A pool of `threads` workers running one of drtp's entries: every type of its protocol follows from the name. */
  static of<E extends WorkerEntry>(entry: E, threads = availableParallelism()): ActorPool<Protocols[E]> {
    return new ActorPool<Protocols[E]>(new URL(`./${entry}.js`, import.meta.url), threads);
  }

  /**
   * A pool of `threads` workers running the entry module at `entry` (the `.js` next to the source, which
   * tap's loader maps to the `.ts`): tests' fixture entries, with their protocol given.
   */
  constructor(entry: URL, threads = availableParallelism()) {
    const n = Math.max(1, Math.floor(threads));
    workersWithoutMemoryReducer();
    this.pool = new Piscina({
      filename: entry.href,
      minThreads: n,
      maxThreads: n,
      // One long task per worker: tasks must not queue behind each other.
      concurrentTasksPerWorker: 1,
      // Tasks start in the order they were given: by default Piscina moves a task it could not hand to a
      // busy worker to the back of its queue, so that 32 queued points ran as 0, 2, 4, ... 30, 1, 5, 9, ...
      stricterFIFO: true,
      // Piscina's own task-timing histograms: never read.
      recordTiming: false,
      idleTimeout: 1000,
    });
  }

  /**
   * Starts `task` on a worker with `master` as the API the worker may call; `transfer` moves buffers
   * with the task. The result rejects with the worker's error, its code kept.
   */
  run(
    task: P['task'],
    master: P['master'],
    transfer: readonly TransferListItem[] = [],
  ): RunningTask<P['result'], P['worker']> {
    const up = new MessageChannel();
    const down = new MessageChannel();
    let isReady = (): void => undefined;
    const ready = new Promise<void>((resolve) => (isReady = resolve));
    Comlink.expose({ ...master, [READY]: () => isReady() }, nodeEndpoint(up.port1));
    const worker = Comlink.wrap<P['worker']>(nodeEndpoint(down.port1));
    const envelope: Envelope<P['task']> = {
      protocolVersion: PROTOCOL_VERSION,
      task,
      toMaster: up.port2,
      fromMaster: down.port2,
    };
    const outcome = this.pool.run(envelope, { transferList: [up.port2, down.port2, ...transfer] as never }) as Promise<
      Outcome<P['result']>
    >;
    const result = outcome
      .then((o) => {
        if (!o.ok) throw DrtpError.fromData(o.error);
        return o.value;
      })
      .finally(() => {
        isReady();
        up.port1.close();
        down.port1.close();
      });
    return { worker, ready, result };
  }

  async destroy(): Promise<void> {
    await this.pool.destroy();
  }
}

/**
 * Stop for a master's workers: an abort of `signal` (Ctrl-C, a failing threshold) or `stop()` asks every
 * worker started so far, and every one started after, to stop, each once its API answers. Calls to a
 * worker that has finished are dropped: nothing waits on them.
 */
export class StopFanOut {
  private readonly tasks: RunningTask<unknown, StoppableWorker>[] = [];
  private stopping = false;
  private readonly onAbort = (): void => this.stop();

  constructor(private readonly signal?: AbortSignal) {
    // A job whose signal is already aborted starts stopped: its workers are asked as they are added.
    if (signal?.aborted === true) this.stopping = true;
    else signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  get stopped(): boolean {
    return this.stopping;
  }

  /** A worker to stop with the others; stopped at once if the stop came first. */
  add(task: RunningTask<unknown, StoppableWorker>): void {
    this.tasks.push(task);
    if (this.stopping) StopFanOut.ask(task);
  }

  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    for (const task of this.tasks) StopFanOut.ask(task);
  }

  /** No longer listens to the signal (the job is over). */
  close(): void {
    this.signal?.removeEventListener('abort', this.onAbort);
  }

  private static ask(task: RunningTask<unknown, StoppableWorker>): void {
    task.ready.then(() => task.worker.stop()).catch(() => undefined);
  }
}

/** What a worker's task body is given: the master's API, and a way to offer its own. */
export interface ActorContext<MasterApi, WorkerApi> {
  master: Comlink.Remote<MasterApi>;
  /** Offers the worker's API (e.g. `stop()`) to the master for the rest of the task; the master is told it answers. */
  expose(api: WorkerApi): void;
}

/**
 * A worker entry (the module's default export) running `body` for each task: the protocol checked, the
 * master's API at hand, and whatever `body` returns or throws sent back as data (an error not of drtp's
 * is a bug: E_INTERNAL with the worker's stack).
 */
export function actorEntry<P extends SomeProtocol>(
  body: (task: P['task'], context: ActorContext<P['master'], P['worker']>) => Promise<P['result']>,
): (envelope: Envelope<P['task']>) => Promise<Outcome<P['result']>> {
  return async (envelope) => {
    const master = Comlink.wrap<P['master']>(nodeEndpoint(envelope.toMaster));
    try {
      if (envelope.protocolVersion !== PROTOCOL_VERSION)
        throw new DrtpError(
          'E_INTERNAL',
          `this worker speaks protocol ${PROTOCOL_VERSION}, the master ${envelope.protocolVersion}`,
        );
      const expose = (api: P['worker']): void => {
        Comlink.expose(api, nodeEndpoint(envelope.fromMaster));
        const told = (master as unknown as Record<typeof READY, () => Promise<void>>)[READY]();
        told.catch(() => undefined); // a master already gone has nothing to stop
      };
      return { ok: true, value: await body(envelope.task, { master, expose }) };
    } catch (err) {
      return { ok: false, error: errorData(err) };
    } finally {
      envelope.toMaster.close();
      envelope.fromMaster.close();
    }
  };
}
