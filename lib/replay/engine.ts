import { performance } from 'node:perf_hooks';
import type {
  Completion,
  CompletionSink,
  EngineReport,
  Failure,
  RegistryPort,
  Segment,
  Timers,
} from '../contract/replay.js';
import { ReplayAccounting, type SecondCounts } from './accounting.js';
import { REAL_TIMERS } from './real-timers.js';

export interface EngineOptions {
  /** Open loop at due times (true) or closed loop as fast as possible (false). */
  wait: boolean;
  /** Requests in flight per client actor. */
  inFlight: number;
  /** Sent more than this after due = late. */
  lateMs: number;
  /** Client actors (may grow as segments arrive: see `addActors`). */
  actors: number;
  registries: number;
  /** performance.now() value of the replay's start. */
  startAt: number;
  now?: () => number;
  /** Asks for the next segment when fewer than this many rows are left to send. */
  lowWater?: number;
  /** Called (once per request) when the engine wants its next segment. */
  onNeedRows?: () => void;
  /** Where the engine's timers run: real ones by default, a virtual clock for simulated registries. */
  timers?: Timers;
  /** Keep the latency of what finished since the last `takeInterval()` for live progress (default false: nothing else reads it). */
  liveLatency?: boolean;
  /** Keep each second's latency and first-byte counts per class for `takeSeconds()` (interval logs, live metrics). */
  perSecond?: boolean;
}

interface Live {
  segment: Segment;
  /** Engine row of the segment's first row. */
  base: number;
  /** Next row in its actor's queue of released rows, or -1 (engine rows). */
  next: Int32Array;
  sentAt: Float64Array;
  /** When a row was released, then how long it was held behind its actor's requests in flight (ms). */
  queued: Float64Array;
  /** Rows not completed yet: the segment is dropped at 0. */
  open: number;
}

/**
 * The replay engine of one worker: releases requests at their due times (or all at once) and keeps each
 * client actor within its bound of requests in flight; what is sent and done is measured by its
 * ReplayAccounting. The registry is whatever RegistryPort it is given. Rows come in segments; each
 * actor's released rows wait in a linked list threaded through the segments.
 */
export class ReplayEngine implements CompletionSink {
  private readonly now: () => number;
  private live: Live[] = [];
  /** Engine rows appended so far. */
  private appended = 0;
  private ended = false;
  private needPending = false;
  /** Next engine row to release (open loop). */
  private cursor = 0;
  private head = new Int32Array(0);
  private tail = new Int32Array(0);
  private inFlightOf = new Uint16Array(0);
  private timer: (() => void) | undefined;
  private readonly timers: Timers;
  private running = false;
  private stopped = false;
  private outstanding = 0;
  private finished: (() => void) | undefined;
  /** Counts and histograms of what is sent and done. */
  private readonly accounts: ReplayAccounting;

  constructor(
    private readonly port: RegistryPort,
    private readonly options: EngineOptions,
    onComplete?: (c: Completion) => void,
  ) {
    this.now = options.now ?? (() => performance.now());
    this.timers = options.timers ?? REAL_TIMERS;
    this.accounts = new ReplayAccounting(
      {
        wait: options.wait,
        lateMs: options.lateMs,
        registries: options.registries,
        liveLatency: options.liveLatency === true,
        perSecond: options.perSecond === true,
      },
      onComplete,
    );
    this.addActors(options.actors);
  }

  /** The counts so far; complete, with the histograms, once `run()` resolves. */
  get report(): EngineReport {
    return this.accounts.report;
  }

  /** Makes room for `count` actors in all (a new segment may bring new clients). */
  addActors(count: number): void {
    if (count <= this.head.length) return;
    const grow = <T extends Int32Array | Uint16Array>(old: T, fill: number): T => {
      const next = new (old.constructor as new (n: number) => T)(count);
      next.fill(fill);
      next.set(old);
      return next;
    };
    this.head = grow(this.head, -1);
    this.tail = grow(this.tail, -1);
    this.inFlightOf = grow(this.inFlightOf, 0);
  }

  /** Adds the next segment of the share (rows continue in due order). */
  append(segment: Segment): void {
    this.needPending = false;
    if (segment.length === 0) return;
    const live: Live = {
      segment,
      base: this.appended,
      next: new Int32Array(segment.length).fill(-1),
      sentAt: new Float64Array(segment.length),
      queued: new Float64Array(segment.length),
      open: segment.length,
    };
    this.live.push(live);
    this.appended += segment.length;
    if (!this.options.wait) {
      // Closed loop: every row is released on arrival, into its actor's queue.
      for (let i = 0; i < segment.length; i++) this.enqueue(segment.actor[i], live.base + i, live, i);
      if (this.running) for (let a = 0; a < this.head.length; a++) this.pump(a);
    } else if (this.running && this.timer === undefined) this.tick();
  }

  /** No more segments will come. */
  end(): void {
    this.ended = true;
    this.needPending = false;
    this.checkFinished();
  }

  /** Replays every row; resolves when all are done (or, after `stop()`, when those in flight are). */
  run(): Promise<EngineReport> {
    return new Promise((resolve) => {
      this.finished = () => resolve(this.accounts.finish());
      this.running = true;
      if (this.options.wait) this.tick();
      else for (let a = 0; a < this.head.length; a++) this.pump(a);
      this.askForRows();
      this.checkFinished();
    });
  }

  /** Stops releasing requests; those in flight finish. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) {
      this.timer();
      this.timer = undefined;
    }
    this.checkFinished();
  }

  /** The clock the engine measures with: ports stamp the first byte with it. */
  clock(): number {
    return this.now();
  }

  /**
   * The port reports `row` done (see CompletionSink); without `firstByteAt`, time to first byte is the
   * service time. Counted at once; recorded and handed to the sink with its batch.
   */
  complete(row: number, status: number, bytes: number, failure: Failure | null, firstByteAt = 0): void {
    const done = this.now();
    const live = this.locate(row);
    const i = row - live.base;
    const seg = live.segment;
    const start = this.options.startAt;
    const sent = live.sentAt[i];
    this.accounts.done(
      seg,
      i,
      row,
      sent - start,
      done - start,
      (firstByteAt > 0 ? firstByteAt : done) - sent,
      status,
      bytes,
      failure,
      live.queued[i],
    );
    if (--live.open === 0) this.live.splice(this.live.indexOf(live), 1);
    const actor = seg.actor[i];
    this.inFlightOf[actor]--;
    this.outstanding--;
    // What this frees was held behind the request that just finished: its wait ends now.
    this.pump(actor, done);
    // Completions arrive in bursts that hold the event loop: release what fell due meanwhile here,
    // not only in the next tick.
    if (this.options.wait && this.running && !this.stopped) this.releaseDue(done);
    this.askForRows();
    this.checkFinished();
  }

  /** Requests done per registry and op: ok, failed (see ReplayAccounting). */
  get byRegistry(): Float64Array {
    return this.accounts.byRegistry;
  }

  /** Latency counts of what finished since the last call, as a Recorder's sparse delta (for live progress). */
  takeInterval(): Float64Array {
    return this.accounts.takeInterval();
  }

  /**
   * The seconds of per-class counts that are complete, and the second before which all are (Infinity
   * once the run is done: `final`).
   */
  takeSeconds(final: boolean): { seconds: SecondCounts[]; before: number } {
    const nowMs = final ? Infinity : this.now() - this.options.startAt;
    return { seconds: this.accounts.takeSeconds(nowMs), before: Math.floor(nowMs / 1000) };
  }

  private locate(row: number): Live {
    const live = this.live;
    for (let k = live.length - 1; k >= 0; k--) if (row >= live[k].base) return live[k];
    throw new Error(`engine row ${row} is not in a live segment`);
  }

  private enqueue(actor: number, row: number, live: Live, index: number): void {
    live.next[index] = -1;
    if (this.tail[actor] < 0) this.head[actor] = row;
    else {
      const prev = this.locate(this.tail[actor]);
      prev.next[this.tail[actor] - prev.base] = row;
    }
    this.tail[actor] = row;
  }

  private tick = (): void => {
    this.timer = undefined;
    if (this.stopped) return;
    this.releaseDue(this.now());
    const start = this.options.startAt;
    this.askForRows();
    if (this.cursor < this.appended) {
      const live = this.locate(this.cursor);
      this.timer = this.timers.at(this.tick, start + live.segment.due[this.cursor - live.base]);
    }
    this.checkFinished();
  };

  /** Releases (and sends, within each actor's bound) every row due by `now`. */
  private releaseDue(now: number): void {
    const start = this.options.startAt;
    while (this.cursor < this.appended) {
      const live = this.locate(this.cursor);
      const i = this.cursor - live.base;
      if (start + live.segment.due[i] > now) break;
      const actor = live.segment.actor[i];
      live.queued[i] = now;
      this.enqueue(actor, this.cursor++, live, i);
      this.pump(actor);
    }
  }

  /**
   * Sends `a`'s released rows while it has room. `freedAt`: the time a completion made the room, so the
   * rows sent now were held behind the actor's own requests from their release (or due time) until then.
   */
  private pump(a: number, freedAt = -1): void {
    if (this.stopped || !this.running) return;
    while (this.inFlightOf[a] < this.options.inFlight && this.head[a] >= 0) {
      const row = this.head[a];
      const live = this.locate(row);
      const i = row - live.base;
      this.head[a] = live.next[i];
      if (this.head[a] < 0) this.tail[a] = -1;
      this.inFlightOf[a]++;
      this.outstanding++;
      const now = this.now();
      live.sentAt[i] = now;
      const start = this.options.startAt;
      // Open loop: from when it could have gone (released, and due) to when its client had room.
      const queued =
        this.options.wait && freedAt >= 0
          ? Math.max(0, freedAt - Math.max(live.queued[i], start + live.segment.due[i]))
          : 0;
      live.queued[i] = queued;
      this.accounts.sent(live.segment, i, now - start, queued);
      this.port.start(row, live.segment, i, this);
    }
  }

  /** Rows appended but not yet released (open loop) or not yet sent (closed loop). */
  private get backlog(): number {
    return this.options.wait ? this.appended - this.cursor : this.appended - this.accounts.report.sent;
  }

  private askForRows(): void {
    if (this.ended || this.needPending || this.stopped || this.options.onNeedRows === undefined) return;
    if (this.backlog >= (this.options.lowWater ?? 0)) return;
    this.needPending = true;
    this.options.onNeedRows();
  }

  private checkFinished(): void {
    if (this.finished === undefined || this.outstanding > 0) return;
    if (!this.stopped) {
      if (!this.ended || this.accounts.report.sent < this.appended) return;
    }
    const finished = this.finished;
    this.finished = undefined;
    finished();
  }
}
