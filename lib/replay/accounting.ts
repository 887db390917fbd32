import type { Completion, EngineReport, Failure, Segment } from '../contract/replay.js';
import { isHead, OP_NAMES, SIZE_CLASS_NAMES, sizeClass } from '../contract/ops.js';
import { Recorder, slotOfMs } from '../stats/recorder.js';
import { CompletionBatch } from './completion-batch.js';

export interface AccountingOptions {
  /** Open loop: latency counts from the due time and late sends are counted. */
  wait: boolean;
  /** Sent more than this after due = late. */
  lateMs: number;
  registries: number;
  /** Keep the latency of what finished since the last `takeInterval()` for live progress. */
  liveLatency: boolean;
  /** Keep each second's latency per class, for interval logs (`takeSeconds()`). */
  perSecond?: boolean;
}

/** The latency and first-byte counts of the successful requests that finished in one second of the run, per class (sparse, by op). */
export interface SecondCounts {
  /** Seconds after the replay's start. */
  second: number;
  latency: Float64Array[];
  ttfb: Float64Array[];
}

/** Finished requests recorded and handed to the result sink together (see CompletionBatch). */
const BATCH = 128;

/**
 * What a replay engine reports: counts per operation and outcome, bytes, late sends and the latency,
 * service-time and first-byte histograms, and every finished request handed to an optional sink. The
 * engine says when a request is sent and when it is done, with times in ms after the replay's start;
 * everything measured is here.
 */
export class ReplayAccounting {
  readonly report: EngineReport;
  /** Requests done per registry and op: ok, failed (`(registry * ops + op) * 2`), for live metrics. */
  readonly byRegistry: Float64Array;
  /** The histograms recorded per request (the others are sums of these: see `histograms()`). */
  private readonly hist: Map<string, Recorder> = new Map();
  private readonly opHist: {
    latency: Recorder;
    service: Recorder;
    ttfb: Recorder;
    lateness: Recorder;
    queueing: Recorder;
  }[];
  private readonly sizeHist: Recorder[];
  /** Per registry; with one registry its histogram is all requests', so none is recorded. */
  private readonly registryHist: Recorder[];
  /** Finished requests counted but not yet recorded nor handed to the sink. */
  private readonly batch = new CompletionBatch(BATCH);
  private readonly completion: Completion;
  /** Latency of requests done since the last `takeInterval()`, for live percentiles (unless not wanted). */
  private readonly interval: Recorder | undefined;
  /** Latency per class of the requests done in second `second` (unless not wanted), and the seconds closed since. */
  private readonly secondOps: { latency: Recorder; ttfb: Recorder }[] | undefined;
  private second = -1;
  private closedSeconds: SecondCounts[] = [];

  constructor(
    private readonly options: AccountingOptions,
    private readonly onComplete?: (c: Completion) => void,
  ) {
    this.report = {
      sent: 0,
      ok: 0,
      failed: 0,
      late: 0,
      queued: 0,
      lateSent: 0,
      bytes: 0,
      ops: OP_NAMES.map(() => [0, 0, 0, 0]),
      errors: {},
      histograms: {},
      firstSentMs: Infinity,
      lastDoneMs: 0,
    };
    const h = (name: string): Recorder => {
      const recorder = new Recorder();
      this.hist.set(name, recorder);
      return recorder;
    };
    this.opHist = OP_NAMES.map((name) => ({
      latency: h(`${name}.latency`),
      service: h(`${name}.service`),
      ttfb: h(`${name}.ttfb`),
      lateness: h(`${name}.lateness`),
      queueing: h(`${name}.queueing`),
    }));
    this.sizeHist = SIZE_CLASS_NAMES.map((name) => h(`size:${name}.latency`));
    this.registryHist =
      options.registries > 1 ? Array.from({ length: options.registries }, (_, i) => h(`registry:${i}.latency`)) : [];
    this.interval = options.liveLatency ? new Recorder() : undefined;
    this.byRegistry = new Float64Array(options.registries * OP_NAMES.length * 2);
    this.secondOps =
      options.perSecond === true ? OP_NAMES.map(() => ({ latency: new Recorder(), ttfb: new Recorder() })) : undefined;
    this.completion = {
      row: 0,
      segment: undefined as unknown as Segment,
      index: 0,
      dueMs: 0,
      sentMs: 0,
      doneMs: 0,
      ttfbMs: 0,
      status: 0,
      bytes: 0,
      failure: null,
      onTime: false,
      queuedMs: 0,
    };
  }

  /**
   * Row `i` of `seg` was sent `sentMs` after the start, having waited `queuedMs` behind its own client's
   * requests in flight (open loop).
   */
  sent(seg: Segment, i: number, sentMs: number, queuedMs = 0): void {
    const report = this.report;
    report.sent++;
    report.ops[seg.op[i]][0]++;
    if (sentMs < report.firstSentMs) report.firstSentMs = sentMs;
    if (this.options.wait) {
      // The generator's own lag: how long after its due time a request went out, less the time its
      // client held it (that is the registry being slower than the trace, not the generator).
      const lag = Math.max(0, sentMs - seg.due[i] - queuedMs);
      if (lag > this.options.lateMs) report.late++;
      if (sentMs - seg.due[i] > this.options.lateMs) report.lateSent++;
      const h = this.opHist[seg.op[i]];
      h.lateness.recordSlot(slotOfMs(lag), lag);
      if (queuedMs > 0) {
        report.queued++;
        h.queueing.recordSlot(slotOfMs(queuedMs), queuedMs);
      }
    }
  }

  /**
   * Row `i` of `seg` (engine row `row`) is done: counted at once, recorded and handed to the sink with
   * its batch. Times are ms after the start; `ttfbMs` is the time to first byte.
   */
  done(
    seg: Segment,
    i: number,
    row: number,
    sentMs: number,
    doneMs: number,
    ttfbMs: number,
    status: number,
    bytes: number,
    failure: Failure | null,
    queuedMs = 0,
  ): void {
    const report = this.report;
    const op = seg.op[i];
    const counts = report.ops[op];
    const ok = failure === null && status >= 200 && status < 300;
    this.byRegistry[(seg.registry[i] * OP_NAMES.length + op) * 2 + (ok ? 0 : 1)]++;
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
    if (doneMs > report.lastDoneMs) report.lastDoneMs = doneMs;
    if (this.batch.add(seg, i, row, sentMs, doneMs, ttfbMs, status, bytes, failure, queuedMs)) this.drain();
  }

  /**
   * Records the batch's requests in the histograms and hands each to the sink. Latency counts from the
   * due time in an open loop (the wait of a late request included: no coordinated omission), from
   * sending in a closed one.
   */
  drain(): void {
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
        if (this.secondOps !== undefined) {
          // Requests are drained in the order they finished: a new second closes the one before.
          const second = Math.floor(done / 1000);
          if (second !== this.second) this.closeSecond(second);
          this.secondOps[op].latency.recordSlot(latencySlot, latency);
          this.secondOps[op].ttfb.recordMs(ttfb);
        }
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
        // The original's meaning: sent within late_ms of its due time, whatever held it.
        c.onTime = wait && sent - due <= lateMs;
        c.queuedMs = b.queuedMs[k];
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
   * The seconds of latency counts no request can be added to any more: every second before `nowMs` (ms
   * after the start; Infinity once every request is done).
   */
  takeSeconds(nowMs: number): SecondCounts[] {
    this.drain();
    if (this.second >= 0 && this.second < Math.floor(nowMs / 1000)) this.closeSecond(-1);
    const closed = this.closedSeconds;
    this.closedSeconds = [];
    return closed;
  }

  private closeSecond(next: number): void {
    const ops = this.secondOps as { latency: Recorder; ttfb: Recorder }[];
    if (this.second >= 0)
      this.closedSeconds.push({
        second: this.second,
        latency: ops.map((r) => r.latency.takeSparse()),
        ttfb: ops.map((r) => r.ttfb.takeSparse()),
      });
    this.second = next;
  }

  /** The report with every histogram, once every request is done. */
  finish(): EngineReport {
    this.drain();
    this.report.histograms = this.histograms();
    return this.report;
  }

  /**
   * Every histogram of the report, sparse, each its own array. A request's latency and service time are
   * recorded once, in its class's histograms: the histograms of all requests are their sums, made here
   * once rather than counted twice per request.
   */
  private histograms(): Record<string, Float64Array> {
    const histograms: Record<string, Float64Array> = {};
    for (const [name, recorder] of this.hist) histograms[name] = recorder.sparse();
    const sum = (key: 'latency' | 'service' | 'lateness' | 'queueing'): Float64Array => {
      const all = new Recorder();
      for (const h of this.opHist) all.addSparse(h[key].sparse());
      return all.sparse();
    };
    histograms['all.latency'] = sum('latency');
    histograms['all.service'] = sum('service');
    histograms['all.lateness'] = sum('lateness');
    histograms['all.queueing'] = sum('queueing');
    // With one registry, its histogram is all requests' (not recorded twice per request).
    if (this.registryHist.length === 0)
      for (let i = 0; i < this.options.registries; i++)
        histograms[`registry:${i}.latency`] = histograms['all.latency'].slice();
    return histograms;
  }
}
