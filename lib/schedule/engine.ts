import { performance } from 'node:perf_hooks';
import type { Completion, CompletionSink, EngineReport, Failure, RegistryPort, Segment, Timers } from '../contract/replay.js';
import { isHead, OP_NAMES, SIZE_CLASS_NAMES, sizeClass } from '../contract/ops.js';
import { CompletionBatch } from './completion-batch.js';
import { Recorder, slotOfMs } from '../stats/recorder.js';
import { MAX_TIMER_MS } from './sleep.js';

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
}

/**
 * Real timers: setTimeout is only ~1 ms precise, so sleep to just before the due time, then poll with
 * setImmediate.
 */
export const REAL_TIMERS: Timers = {
  at(fn, at) {
    const wait = at - performance.now();
    if (wait > 2) {
      // Longer than setTimeout can wait: wake early, and the engine sets its timer again.
      const t = setTimeout(fn, Math.min(wait - 1.5, MAX_TIMER_MS));
      return () => clearTimeout(t);
    }
    const i = setImmediate(fn);
    return () => clearImmediate(i);
  },
};

/** Finished requests recorded and handed to the result sink together (see CompletionBatch). */
const BATCH = 128;

interface Live {
  segment: Segment;
  /** Engine row of the segment's first row. */
  base: number;
  /** Next row in its actor's queue of released rows, or -1 (engine rows). */
  next: Int32Array;
  sentAt: Float64Array;
  /** Rows not completed yet: the segment is dropped at 0. */
  open: number;
}

/**
 * The replay engine of one worker: releases requests at their due times (or all at once), keeps each
 * client actor within its bound of requests in flight, and measures every request twice, from sending
 * (service time) and from its due time (latency, which counts the wait of a late request: no
 * coordinated omission). The registry is whatever RegistryPort it is given. Rows come in segments;
 * each actor's released rows wait in a linked list threaded through the segments.
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
  readonly report: EngineReport;
  /** The histograms recorded per request (the others are sums of these: see `histograms()`). */
  private readonly hist: Map<string, Recorder> = new Map();
  private readonly opHist: { latency: Recorder; service: Recorder; ttfb: Recorder }[];
  private readonly sizeHist: Recorder[];
  /** Per registry; with one registry its histogram is all requests', so none is recorded. */
  private readonly registryHist: Recorder[];
  private readonly completion: Completion;
  /** Finished requests counted but not yet recorded nor handed to the sink. */
  private readonly batch = new CompletionBatch(BATCH);
  /** Latency of requests done since the last `takeInterval()`, for live percentiles (unless not wanted). */
  private readonly interval: Recorder | undefined;

  constructor(
    private readonly port: RegistryPort,
    private readonly options: EngineOptions,
    private readonly onComplete?: (c: Completion) => void,
  ) {
    this.now = options.now ?? (() => performance.now());
    this.timers = options.timers ?? REAL_TIMERS;
    this.interval = options.liveLatency === true ? new Recorder() : undefined;
    this.addActors(options.actors);
    this.report = { sent: 0, ok: 0, failed: 0, late: 0, bytes: 0, ops: OP_NAMES.map(() => [0, 0, 0, 0]), errors: {}, histograms: {}, firstSentMs: Infinity, lastDoneMs: 0 };
    const h = (name: string): Recorder => {
      const recorder = new Recorder();
      this.hist.set(name, recorder);
      return recorder;
    };
    this.opHist = OP_NAMES.map((name) => ({ latency: h(`${name}.latency`), service: h(`${name}.service`), ttfb: h(`${name}.ttfb`) }));
    this.sizeHist = SIZE_CLASS_NAMES.map((name) => h(`size:${name}.latency`));
    this.registryHist = options.registries > 1 ? Array.from({ length: options.registries }, (_, i) => h(`registry:${i}.latency`)) : [];
    this.completion = { row: 0, segment: undefined as unknown as Segment, index: 0, dueMs: 0, sentMs: 0, doneMs: 0, ttfbMs: 0, status: 0, bytes: 0, failure: null, onTime: false };
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
    const live: Live = { segment, base: this.appended, next: new Int32Array(segment.length).fill(-1), sentAt: new Float64Array(segment.length), open: segment.length };
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
      this.finished = () => {
        this.drain();
        this.report.histograms = this.histograms();
        resolve(this.report);
      };
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
    const { report } = this;
    const op = seg.op[i];
    const start = this.options.startAt;
    const sent = live.sentAt[i];
    const ok = failure === null && status >= 200 && status < 300;
    const counts = report.ops[op];
    if (ok) {
      report.ok++;
      counts[1]++;
      const moved = isHead(op) ? 0 : bytes;
      report.bytes += moved;
      counts[3] += moved;
    } else {
      report.failed++;
      counts[2]++;
      // Counted by code, and HTTP failures by status too: `E_REGISTRY_HTTP 404`.
      let code = failure === null ? 'E_REGISTRY_HTTP' : failure.code;
      if (code === 'E_REGISTRY_HTTP' && status > 0) code = `${code} ${status}`;
      report.errors[code] = (report.errors[code] ?? 0) + 1;
    }
    if (done - start > report.lastDoneMs) report.lastDoneMs = done - start;
    if (this.batch.add(seg, i, row, sent - start, done - start, (firstByteAt > 0 ? firstByteAt : done) - sent, status, bytes, failure)) this.drain();
    if (--live.open === 0) this.live.splice(this.live.indexOf(live), 1);
    const actor = seg.actor[i];
    this.inFlightOf[actor]--;
    this.outstanding--;
    this.pump(actor);
    // Completions arrive in bursts that hold the event loop: release what fell due meanwhile here,
    // not only in the next tick.
    if (this.options.wait && this.running && !this.stopped) this.releaseDue(done);
    this.askForRows();
    this.checkFinished();
  }

  /**
   * Records the batch's requests in the histograms and hands each to the sink. Latency counts from the
   * due time in an open loop (the wait of a late request included: no coordinated omission), from
   * sending in a closed one.
   */
  private drain(): void {
    const b = this.batch;
    const wait = this.options.wait;
    const lateMs = this.options.lateMs;
    const c = this.completion;
    for (let k = 0; k < b.length; k++) {
      const seg = b.segment[k] as Segment;
      const i = b.index[k];
      const op = seg.op[i];
      const due = seg.due[i];
      const sent = b.sentMs[k];
      const done = b.doneMs[k];
      const service = done - sent;
      const latency = wait ? done - due : service;
      const ttfb = b.ttfbMs[k];
      const status = b.status[k];
      const failure = b.failure[k];
      if (failure === null && status >= 200 && status < 300) {
        // Three slots computed, five counts recorded (six with several registries).
        const latencySlot = slotOfMs(latency);
        this.interval?.recordSlot(latencySlot, latency);
        const h = this.opHist[op];
        h.latency.recordSlot(latencySlot, latency);
        h.service.recordSlot(slotOfMs(service), service);
        h.ttfb.recordSlot(slotOfMs(ttfb), ttfb);
        this.sizeHist[sizeClass(seg.size[i])].recordSlot(latencySlot, latency);
        if (this.registryHist.length > 0) this.registryHist[seg.registry[i]].recordSlot(latencySlot, latency);
      }
      if (this.onComplete !== undefined) {
        // One reused record: the sink formats it at once and keeps nothing.
        c.row = b.row[k];
        c.segment = seg;
        c.index = i;
        c.dueMs = due;
        c.sentMs = sent;
        c.doneMs = done;
        c.ttfbMs = ttfb;
        c.status = status;
        c.bytes = b.bytes[k];
        c.failure = failure;
        c.onTime = wait && sent - due <= lateMs;
        this.onComplete(c);
      }
    }
    b.clear();
  }

  /** Latency counts of what finished since the last call, as a Recorder's sparse delta (for live progress). */
  takeInterval(): Float64Array {
    this.drain();
    return this.interval === undefined ? new Float64Array(0) : this.interval.takeSparse();
  }

  /**
   * Every histogram of the report, sparse, each its own array. A request's latency and service time are
   * recorded once, in its class's histograms: the histograms of all requests are their sums, made here
   * once rather than counted twice per request.
   */
  private histograms(): Record<string, Float64Array> {
    const histograms: Record<string, Float64Array> = {};
    for (const [name, recorder] of this.hist) histograms[name] = recorder.sparse();
    const sum = (key: 'latency' | 'service'): Float64Array => {
      const all = new Recorder();
      for (const h of this.opHist) all.addSparse(h[key].sparse());
      return all.sparse();
    };
    histograms['all.latency'] = sum('latency');
    histograms['all.service'] = sum('service');
    // With one registry, its histogram is all requests' (not recorded twice per request).
    if (this.registryHist.length === 0) for (let i = 0; i < this.options.registries; i++) histograms[`registry:${i}.latency`] = histograms['all.latency'].slice();
    return histograms;
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
      this.enqueue(actor, this.cursor++, live, i);
      this.pump(actor);
    }
  }

  private pump(a: number): void {
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
      const report = this.report;
      const seg = live.segment;
      report.sent++;
      report.ops[seg.op[i]][0]++;
      if (now - this.options.startAt < report.firstSentMs) report.firstSentMs = now - this.options.startAt;
      if (this.options.wait && now - (this.options.startAt + seg.due[i]) > this.options.lateMs) report.late++;
      this.port.start(row, seg, i, this);
    }
  }

  /** Rows appended but not yet released (open loop) or not yet sent (closed loop). */
  private get backlog(): number {
    return this.options.wait ? this.appended - this.cursor : this.appended - this.report.sent;
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
      if (!this.ended || this.report.sent < this.appended) return;
    }
    const finished = this.finished;
    this.finished = undefined;
    finished();
  }
}
