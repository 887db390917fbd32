import { Counter, Gauge, Histogram, Registry, type OpenMetricsContentType } from 'prom-client';
import { OP_NAMES } from '../contract/ops.js';
import { valueOfSlot } from '../stats/recorder.js';

/** Bucket bounds of the latency and first-byte histograms, seconds: 0.5 ms to a minute. */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** What a client worker reports, as far as metrics read it: its totals so far and its completed seconds. */
export interface WorkerTotals {
  sent: number;
  late: number;
  queued: number;
  /** Per op: sent, ok, failed, bytes. */
  ops: number[][];
  /** Per registry then op: ok, failed (`(registry * ops + op) * 2`). */
  byRegistry: ArrayLike<number>;
  seconds: readonly { latency: Float64Array[]; ttfb: Float64Array[] }[];
}

/**
 * A run's live metrics for Prometheus: requests by class, registry and outcome, bytes by class, requests
 * in flight, late sends, and latency and time-to-first-byte histograms by class. Labels are bounded
 * (class, registry, outcome), never a repository or digest. Totals are the workers' own, summed at each
 * scrape; histograms are fed each second the workers complete.
 */
export class RunMetrics {
  readonly registry = new Registry<OpenMetricsContentType>();
  private readonly workers: WorkerTotals[] = [];
  private readonly latency: Histogram<'class'>;
  private readonly ttfb: Histogram<'class'>;

  constructor(registryNames: readonly string[], planned: number) {
    this.registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    const registers = [this.registry];
    const totals = this.workers;
    const names = registryNames;
    new Counter({
      name: 'drtp_requests',
      help: 'Requests done, by request class, registry and outcome (ok: a 2xx answer)',
      labelNames: ['class', 'registry', 'outcome'],
      registers,
      collect() {
        this.reset();
        names.forEach((registry, r) =>
          OP_NAMES.forEach((name, op) => {
            const k = (r * OP_NAMES.length + op) * 2;
            this.inc(
              { class: name, registry, outcome: 'ok' },
              sum(totals, (w) => w.byRegistry[k]),
            );
            this.inc(
              { class: name, registry, outcome: 'failed' },
              sum(totals, (w) => w.byRegistry[k + 1]),
            );
          }),
        );
      },
    });
    new Counter({
      name: 'drtp_response_bytes',
      help: 'Bytes moved by successful requests (bodies sent or received), by request class',
      labelNames: ['class'],
      registers,
      collect() {
        this.reset();
        OP_NAMES.forEach((name, op) =>
          this.inc(
            { class: name },
            sum(totals, (w) => w.ops[op][3]),
          ),
        );
      },
    });
    new Gauge({
      name: 'drtp_requests_in_flight',
      help: 'Requests sent and not yet done',
      registers,
      collect() {
        this.set(sum(totals, (w) => w.sent - w.ops.reduce((n, c) => n + c[1] + c[2], 0)));
      },
    });
    new Counter({
      name: 'drtp_late_sends',
      help: "Requests the generator sent later than client_info.late_ms after it could have (time queued behind the client's own requests excluded; open loop)",
      registers,
      collect() {
        this.reset();
        this.inc(sum(totals, (w) => w.late));
      },
    });
    new Counter({
      name: 'drtp_queued_sends',
      help: "Requests held behind their own client's requests in flight at their due time: the registry slower than the trace (open loop)",
      registers,
      collect() {
        this.reset();
        this.inc(sum(totals, (w) => w.queued));
      },
    });
    new Gauge({ name: 'drtp_requests_planned', help: 'Requests this run will send', registers }).set(planned);
    this.latency = new Histogram({
      name: 'drtp_request_latency_seconds',
      help: 'Latency of successful requests from their due time (from sending when not waiting), by request class',
      labelNames: ['class'],
      buckets: BUCKETS,
      registers,
    });
    this.ttfb = new Histogram({
      name: 'drtp_time_to_first_byte_seconds',
      help: 'Time from sending to the response headers of successful requests, by request class',
      labelNames: ['class'],
      buckets: BUCKETS,
      registers,
    });
  }

  /** Worker `k`'s progress: its totals replace what it said before; its completed seconds feed the histograms. */
  update(k: number, totals: WorkerTotals): void {
    this.workers[k] = totals;
    for (const second of totals.seconds) {
      observe(this.latency, second.latency);
      observe(this.ttfb, second.ttfb);
    }
  }
}

function sum(workers: readonly WorkerTotals[], of: (w: WorkerTotals) => number): number {
  let total = 0;
  for (const w of workers) if (w !== undefined) total += of(w);
  return total;
}

/** Adds per-op sparse counts to a histogram (a slot's values are within 0.1% of each other). */
function observe(histogram: Histogram<'class'>, perOp: readonly Float64Array[]): void {
  perOp.forEach((pairs, op) => {
    if (pairs.length === 0) return;
    const child = histogram.labels({ class: OP_NAMES[op] });
    for (let k = 0; k + 1 < pairs.length; k += 2) {
      const seconds = (pairs[k] >= 0 ? valueOfSlot(pairs[k]) : -pairs[k]) / 1e6;
      for (let n = 0; n < pairs[k + 1]; n++) child.observe(seconds);
    }
  });
}
