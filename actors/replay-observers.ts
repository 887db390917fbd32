import { performance } from 'node:perf_hooks';
import type { ConfiguredThreshold } from '../lib/config/types.js';
import type { AtomicFile } from '../lib/fsutil/atomic.js';
import { RunMetrics } from '../lib/metrics/run-metrics.js';
import { serveMetrics, type MetricsServer } from '../lib/metrics/server.js';
import { IntervalLogs } from '../lib/report/hlog.js';
import { percentileOfSparse } from '../lib/stats/histogram.js';
import { Recorder } from '../lib/stats/recorder.js';
import { LiveThresholds, type LiveFailure } from '../lib/thresholds/live.js';
import type { ReplayProgressDelta } from './messages.js';

export interface ReplayProgress {
  done: number;
  total: number;
  ok: number;
  failed: number;
  bytes: number;
  /** p99 latency so far, ms. */
  p99: number;
}

export interface ObserverOptions {
  /** Live progress, about once a second. */
  onProgress?: (p: ReplayProgress) => void;
  /** Those with abortOnFail are judged as the run goes. */
  thresholds?: readonly ConfiguredThreshold[];
  /** HdrHistogram interval logs and .hgrm tables per class go here. */
  hlogDir?: string;
  /** Live metrics for Prometheus are served here. */
  metrics?: { host: string | undefined; port: number; lingerMs: number; onListening?: (url: string) => void };
}

/**
 * What watches a replay as it goes, from the workers' progress: the live progress line, abort_on_fail
 * thresholds, HdrHistogram interval logs and Prometheus metrics. Workers send progress only when one
 * of them wants it, and per-second counts only for the logs and metrics.
 */
export class ReplayObservers {
  private readonly live: { done: number[]; ok: number[]; failed: number[]; bytes: number[]; secondsBefore: number[] };
  private readonly latency = new Recorder();
  private readonly watch: LiveThresholds;
  private aborted: LiveFailure | undefined;

  private constructor(
    private readonly options: ObserverOptions,
    workers: number,
    private readonly planned: number,
    private readonly metrics: RunMetrics | undefined,
    private readonly server: MetricsServer | undefined,
    private readonly logs: IntervalLogs | undefined,
  ) {
    const zeros = (): number[] => new Array<number>(workers).fill(0);
    this.live = { done: zeros(), ok: zeros(), failed: zeros(), bytes: zeros(), secondsBefore: zeros() };
    this.watch = new LiveThresholds((options.thresholds ?? []).filter((t) => t.abortOnFail));
  }

  /** Starts the metrics server (an address in use is E_USAGE) and opens the interval logs. */
  static async start(
    options: ObserverOptions,
    workers: number,
    planned: number,
    registryNames: readonly string[],
    startAtEpochMs: number,
  ): Promise<ReplayObservers> {
    const metrics = options.metrics === undefined ? undefined : new RunMetrics(registryNames, planned);
    const server =
      metrics === undefined || options.metrics === undefined
        ? undefined
        : await serveMetrics(metrics.registry, options.metrics, '--metrics');
    if (server !== undefined) options.metrics?.onListening?.(server.url);
    const logs =
      options.hlogDir === undefined
        ? undefined
        : await IntervalLogs.create(options.hlogDir, startAtEpochMs).catch(async (err: unknown) => {
            await server?.close(0);
            throw err;
          });
    return new ReplayObservers(options, workers, planned, metrics, server, logs);
  }

  /** Whether workers report progress at all, and whether with per-second counts. */
  get wantsProgress(): boolean {
    return this.options.onProgress !== undefined || !this.watch.empty || this.wantsSeconds;
  }

  get wantsSeconds(): boolean {
    return this.logs !== undefined || this.metrics !== undefined;
  }

  /** The abort_on_fail threshold that failed, once one has. */
  get abortedBy(): LiveFailure | undefined {
    return this.aborted;
  }

  /** Worker `k`'s progress; true when an abort_on_fail threshold has just failed (the run must stop). */
  progress(k: number, delta: ReplayProgressDelta): boolean {
    const { live } = this;
    live.done[k] = delta.done;
    live.ok[k] = delta.ok;
    live.failed[k] = delta.failed;
    live.bytes[k] = delta.bytes;
    const sum = (a: number[]): number => a.reduce((x, y) => x + y, 0);
    this.metrics?.update(k, delta);
    if (this.logs !== undefined) {
      this.logs.add(delta.seconds);
      live.secondsBefore[k] = delta.secondsBefore;
      // A failed write is reported by finish().
      void this.logs.flushBefore(Math.min(...live.secondsBefore)).catch(() => undefined);
    }
    let abort = false;
    if (!this.watch.empty && this.aborted === undefined) {
      this.aborted = this.watch.update(performance.now(), sum(live.ok), sum(live.failed), delta.interval);
      abort = this.aborted !== undefined;
    }
    if (this.options.onProgress !== undefined) {
      this.latency.addSparse(delta.interval);
      this.options.onProgress({
        done: sum(live.done),
        total: this.planned,
        ok: sum(live.ok),
        failed: sum(live.failed),
        bytes: sum(live.bytes),
        p99: percentileOfSparse(this.latency.sparse(), 99),
      });
    }
    return abort;
  }

  /** The interval logs and tables, complete, to commit with the run's results. */
  async files(): Promise<AtomicFile[]> {
    return (await this.logs?.finish()) ?? [];
  }

  /** Drops the logs' temp files (the run failed). */
  async abort(): Promise<void> {
    await this.logs?.abort();
  }

  /** Stops serving metrics once they have been scraped after the end (at most the linger). */
  async close(): Promise<void> {
    await this.server?.close(this.options.metrics?.lingerMs ?? 0);
  }
}
