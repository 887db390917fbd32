import { performance } from 'node:perf_hooks';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { Timers } from '../contract/replay.js';
import type { AlarmThreadData } from './alarm-thread.js';
import { hrMs } from './hr-clock.js';
import { REAL_TIMERS } from './real-timers.js';

/** How long before a due time the alarm wakes the engine, which polls the rest. */
const POLL_MS = 0.25;

/**
 * Timers for an open-loop replay that wake the engine's thread within a fraction of a millisecond of a
 * due time without polling the way there: a helper thread sleeps on a futex and wakes the event loop
 * with a message `POLL_MS` early, and the engine polls (setImmediate) only that last stretch.
 * setTimeout alone fires too coarsely for that, and polling all the way makes the thread look busy to
 * the scheduler, which then lets the master and V8's helper threads run ahead of it (docs/performance.md,
 * "Sending on time").
 * One alarm at a time: arming again replaces the last (the engine holds one timer). The thread starts
 * with the clock (starting it takes milliseconds: not at the first due time) and ends with `close()`.
 */
export class AlarmClock implements Timers {
  private readonly state = new SharedArrayBuffer(16);
  private readonly number = new Int32Array(this.state, 0, 1);
  private readonly wakeAt = new Float64Array(this.state, 8, 1);
  private thread: Worker | undefined;
  private port: MessagePort | undefined;
  private armed: (() => void) | undefined;
  private polling: NodeJS.Immediate | undefined;
  /** Until the thread is up (it takes tens of ms to start), waits go through the event loop's timers. */
  private online = false;
  private cancelFallback: (() => void) | undefined;
  private closed = false;
  private onThreadId: ((id: number | undefined) => void) | undefined;
  /** The helper thread's kernel id once it has started (undefined off Linux). */
  readonly threadId: Promise<number | undefined>;

  constructor() {
    this.threadId = new Promise((resolve) => (this.onThreadId = resolve));
    this.start();
  }

  at(fn: () => void, at: number): () => void {
    this.cancel();
    const wait = at - performance.now();
    if (wait <= POLL_MS || this.closed) this.polling = setImmediate(fn);
    else if (!this.online) this.cancelFallback = REAL_TIMERS.at(fn, at);
    else {
      const port = this.start();
      this.armed = fn;
      this.wakeAt[0] = hrMs() + wait - POLL_MS;
      this.signal(Atomics.load(this.number, 0) + 1);
      port.ref();
    }
    return this.cancel;
  }

  /** Ends the helper thread; resolves once it has exited. An alarm still armed never fires. */
  async close(): Promise<void> {
    this.cancel();
    this.closed = true;
    const thread = this.thread;
    if (thread === undefined) return;
    this.thread = undefined;
    const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
    thread.ref();
    this.signal(-1);
    this.port?.close();
    await exited;
  }

  private readonly cancel = (): void => {
    if (this.polling !== undefined) clearImmediate(this.polling);
    this.polling = undefined;
    this.cancelFallback?.();
    this.cancelFallback = undefined;
    if (this.armed === undefined) return;
    this.armed = undefined;
    this.wakeAt[0] = Infinity;
    this.signal(Atomics.load(this.number, 0) + 1);
    this.port?.unref();
  };

  private signal(value: number): void {
    Atomics.store(this.number, 0, value);
    Atomics.notify(this.number, 0);
  }

  private start(): MessagePort {
    if (this.port !== undefined) return this.port;
    const { port1, port2 } = new MessageChannel();
    this.wakeAt[0] = Infinity;
    const data: AlarmThreadData = { state: this.state, port: port2 };
    this.thread = new Worker(new URL('./alarm-thread.js', import.meta.url), {
      workerData: data,
      transferList: [port2],
    });
    // The thread holds the process open only while it starts and ends; the port does while an alarm is armed.
    const thread = this.thread;
    // A thread that fails leaves the clock to the event loop's timers: an armed alarm fires at once
    // (the engine re-arms), never hangs the replay.
    thread.on('error', () => undefined);
    thread.once('exit', () => {
      this.online = false;
      this.onThreadId?.(undefined);
      const fn = this.armed;
      this.armed = undefined;
      if (fn !== undefined && !this.closed) this.polling = setImmediate(fn);
    });
    port1.on('message', (n: number | { threadId: number | undefined }) => {
      if (typeof n !== 'number') {
        this.online = true;
        thread.unref();
        return this.onThreadId?.(n.threadId);
      }
      const fn = this.armed;
      if (n !== Atomics.load(this.number, 0) || fn === undefined) return;
      this.armed = undefined;
      port1.unref();
      fn();
    });
    port1.unref();
    this.port = port1;
    return port1;
  }
}
