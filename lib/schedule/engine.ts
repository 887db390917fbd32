import { isHead, OP_NAMES, SIZE_CLASS_NAMES, sizeClass } from './classes.js';
import { encodeHistogram, newHistogram, recordMs, type Histogram } from '../stats/histogram.js';

/** The columns of one worker's share of a replay, in due order. */
export interface EngineRows {
  length: number;
  /** Due time, ms after the replay's start. */
  due: Float64Array;
  op: Uint8Array;
  size: Float64Array;
  registry: Uint8Array;
  actor: Uint32Array;
}

/** Whatever answers requests: a real registry over HTTP, or a simulated one. */
export interface RegistryPort {
  /** Starts row `row`; must call `engine.complete` for it exactly once, now or later. */
  start(row: number, engine: ReplayEngine): void;
  close(): Promise<void>;
}

export interface EngineOptions {
  /** Open loop at due times (true) or closed loop as fast as possible (false). */
  wait: boolean;
  /** Requests in flight per client actor. */
  inFlight: number;
  /** Sent more than this after due = late. */
  lateMs: number;
  actors: number;
  registries: number;
  /** performance.now() value of the replay's start. */
  startAt: number;
  now?: () => number;
}

/** Counters and histograms of one engine, in the form that crosses threads. */
export interface EngineReport {
  sent: number;
  ok: number;
  failed: number;
  late: number;
  bytes: number;
  /** Per op: [sent, ok, failed, bytes]. */
  ops: number[][];
  errors: Record<string, number>;
  /** Encoded histograms, by name: `all.latency`, `GET blob.service`, `size:<1MB.latency`, `registry:0.latency`, ... */
  histograms: Record<string, string>;
  firstSentMs: number;
  lastDoneMs: number;
}

/** One finished request, handed to the result sink (a row of the NDJSON results); reused between calls. */
export interface Completion {
  row: number;
  dueMs: number;
  sentMs: number;
  doneMs: number;
  ttfbMs: number;
  status: number;
  bytes: number;
  error: string | null;
  onTime: boolean;
}

/**
 * The replay engine of one worker: releases requests at their due times (or all at once), keeps each
 * client actor within its bound of requests in flight, and measures every request twice, from sending
 * (service time) and from its due time (latency, which counts the wait of a late request: no
 * coordinated omission). The registry is whatever RegistryPort it is given.
 */
export class ReplayEngine {
  private readonly now: () => number;
  private readonly sentAt: Float64Array;
  /** Rows of each actor in order (CSR): actorRows[actorStart[a] .. actorStart[a + 1]). */
  private readonly actorStart: Uint32Array;
  private readonly actorRows: Uint32Array;
  private readonly nextToSend: Uint32Array;
  private readonly released: Uint32Array;
  private readonly inFlightOf: Uint16Array;
  private cursor = 0;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private stopped = false;
  private outstanding = 0;
  private finished: (() => void) | undefined;
  readonly report: EngineReport;
  private readonly hist: Map<string, Histogram> = new Map();
  private readonly opHist: { latency: Histogram; service: Histogram; ttfb: Histogram }[];
  private readonly sizeHist: Histogram[];
  private readonly registryHist: Histogram[];
  private readonly allLatency: Histogram;
  private readonly allService: Histogram;
  private readonly completion: Completion = { row: 0, dueMs: 0, sentMs: 0, doneMs: 0, ttfbMs: 0, status: 0, bytes: 0, error: null, onTime: false };
  /** Latency of requests done since the last `takeInterval()`, for live percentiles. */
  private interval: Histogram;

  constructor(
    private readonly rows: EngineRows,
    private readonly port: RegistryPort,
    private readonly options: EngineOptions,
    private readonly onComplete?: (c: Completion) => void,
  ) {
    this.now = options.now ?? (() => performance.now());
    const n = rows.length;
    this.sentAt = new Float64Array(n);
    this.actorStart = new Uint32Array(options.actors + 1);
    for (let r = 0; r < n; r++) this.actorStart[rows.actor[r] + 1]++;
    for (let a = 0; a < options.actors; a++) this.actorStart[a + 1] += this.actorStart[a];
    this.actorRows = new Uint32Array(n);
    const fill = this.actorStart.slice(0, options.actors);
    for (let r = 0; r < n; r++) this.actorRows[fill[rows.actor[r]]++] = r;
    this.nextToSend = this.actorStart.slice(0, options.actors);
    this.released = this.actorStart.slice(0, options.actors);
    this.inFlightOf = new Uint16Array(options.actors);
    this.report = { sent: 0, ok: 0, failed: 0, late: 0, bytes: 0, ops: OP_NAMES.map(() => [0, 0, 0, 0]), errors: {}, histograms: {}, firstSentMs: Infinity, lastDoneMs: 0 };
    const h = (name: string): Histogram => {
      const histogram = newHistogram();
      this.hist.set(name, histogram);
      return histogram;
    };
    this.allLatency = h('all.latency');
    this.allService = h('all.service');
    this.opHist = OP_NAMES.map((name) => ({ latency: h(`${name}.latency`), service: h(`${name}.service`), ttfb: h(`${name}.ttfb`) }));
    this.sizeHist = SIZE_CLASS_NAMES.map((name) => h(`size:${name}.latency`));
    this.registryHist = Array.from({ length: options.registries }, (_, i) => h(`registry:${i}.latency`));
    this.interval = newHistogram();
  }

  /** Replays every row; resolves when all are done (or, after `stop()`, when those in flight are). */
  run(): Promise<EngineReport> {
    return new Promise((resolve) => {
      this.finished = () => {
        for (const [name, histogram] of this.hist) this.report.histograms[name] = encodeHistogram(histogram);
        resolve(this.report);
      };
      if (this.options.wait) this.tick();
      else {
        for (let a = 0; a < this.options.actors; a++) {
          this.released[a] = this.actorStart[a + 1];
          this.pump(a);
        }
        this.cursor = this.rows.length;
      }
      this.checkFinished();
    });
  }

  /** Stops releasing requests; those in flight finish. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
      this.timer = undefined;
    }
    this.checkFinished();
  }

  /** The clock the engine measures with: ports stamp the first byte with it. */
  clock(): number {
    return this.now();
  }

  /**
   * The port reports `row` done: status 0 with `error` for transport failures; `firstByteAt` is the
   * clock() time the response headers came (0 if unknown: then time to first byte = service time).
   */
  complete(row: number, status: number, bytes: number, error: string | null, firstByteAt = 0): void {
    const done = this.now();
    const { rows, report } = this;
    const op = rows.op[row];
    const dueAbs = this.options.startAt + rows.due[row];
    const sent = this.sentAt[row];
    const service = done - sent;
    const latency = this.options.wait ? done - dueAbs : service;
    const ttfb = firstByteAt > 0 ? firstByteAt - sent : service;
    const ok = error === null && status >= 200 && status < 300;
    const counts = report.ops[op];
    if (ok) {
      report.ok++;
      counts[1]++;
      const moved = isHead(op) ? 0 : bytes;
      report.bytes += moved;
      counts[3] += moved;
      recordMs(this.allLatency, latency);
      recordMs(this.allService, service);
      recordMs(this.interval, latency);
      const h = this.opHist[op];
      recordMs(h.latency, latency);
      recordMs(h.service, service);
      recordMs(h.ttfb, ttfb);
      recordMs(this.sizeHist[sizeClass(rows.size[row])], latency);
      recordMs(this.registryHist[rows.registry[row]], latency);
    } else {
      report.failed++;
      counts[2]++;
      // Counted by code, and HTTP failures by status too: `E_REGISTRY_HTTP 404`.
      const colon = error === null ? -1 : error.indexOf(':');
      let code = error === null ? 'E_REGISTRY_HTTP' : colon < 0 ? error : error.slice(0, colon);
      if (code === 'E_REGISTRY_HTTP' && status > 0) code = `${code} ${status}`;
      report.errors[code] = (report.errors[code] ?? 0) + 1;
    }
    if (done - this.options.startAt > report.lastDoneMs) report.lastDoneMs = done - this.options.startAt;
    const onTime = this.options.wait && sent - dueAbs <= this.options.lateMs;
    if (this.onComplete !== undefined) {
      // One reused record: the sink formats it at once and keeps nothing.
      const c = this.completion;
      c.row = row;
      c.dueMs = rows.due[row];
      c.sentMs = sent - this.options.startAt;
      c.doneMs = done - this.options.startAt;
      c.ttfbMs = ttfb;
      c.status = status;
      c.bytes = bytes;
      c.error = error;
      c.onTime = onTime;
      this.onComplete(c);
    }
    const actor = rows.actor[row];
    this.inFlightOf[actor]--;
    this.outstanding--;
    this.pump(actor);
    this.checkFinished();
  }

  /** Latency histogram of what finished since the last call, encoded (for live progress). */
  takeInterval(): string {
    const encoded = encodeHistogram(this.interval);
    this.interval.reset();
    return encoded;
  }

  get done(): number {
    return this.report.ok + this.report.failed;
  }

  private tick = (): void => {
    this.timer = undefined;
    if (this.stopped) return;
    const { due, actor } = this.rows;
    const now = this.now();
    const start = this.options.startAt;
    while (this.cursor < this.rows.length && start + due[this.cursor] <= now) {
      const a = actor[this.cursor++];
      this.released[a]++;
      this.pump(a);
    }
    if (this.cursor < this.rows.length) {
      const wait = start + due[this.cursor] - this.now();
      // setTimeout is only ~1 ms precise: sleep to just before the due time, then poll.
      this.timer = wait > 2 ? setTimeout(this.tick, wait - 1.5) : setImmediate(this.tick);
    }
    this.checkFinished();
  };

  private pump(a: number): void {
    if (this.stopped) return;
    while (this.inFlightOf[a] < this.options.inFlight && this.nextToSend[a] < this.released[a]) {
      const row = this.actorRows[this.nextToSend[a]++];
      this.inFlightOf[a]++;
      this.outstanding++;
      const now = this.now();
      this.sentAt[row] = now;
      const report = this.report;
      report.sent++;
      report.ops[this.rows.op[row]][0]++;
      if (now - this.options.startAt < report.firstSentMs) report.firstSentMs = now - this.options.startAt;
      if (this.options.wait && now - (this.options.startAt + this.rows.due[row]) > this.options.lateMs) report.late++;
      this.port.start(row, this);
    }
  }

  private checkFinished(): void {
    if (this.finished === undefined || this.outstanding > 0) return;
    if (!this.stopped && this.cursor < this.rows.length) return;
    if (!this.stopped && this.options.wait === false && this.report.sent < this.rows.length) return;
    const finished = this.finished;
    this.finished = undefined;
    finished();
  }
}
