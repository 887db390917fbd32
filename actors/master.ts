import { performance } from 'node:perf_hooks';
import { transfer, type Remote } from 'comlink';
import { availableParallelism } from 'node:os';
import type { Config } from '../lib/config/types.js';
import type { ConfiguredTrace } from '../lib/config/trace.js';
import { AtomicFile } from '../lib/fsutil/atomic.js';
import type { RegistryEndpoint } from '../lib/registry/endpoint.js';
import type { DigestMap } from '../lib/registry/digest-map.js';
import { startLoopback } from '../lib/registry/loopback.js';
import { opOf } from '../lib/schedule/op-of.js';
import type { EngineReport } from '../lib/contract/replay.js';
import { ReplayRouter, SKIP_REASONS, type SegmentBatch } from '../lib/schedule/router.js';
import { percentileOfSparse } from '../lib/stats/histogram.js';
import { Recorder } from '../lib/stats/recorder.js';
import { skippedRow } from '../lib/stats/result-row.js';
import { buildSummary, mergeReports, withThresholds, type RunSummary } from '../lib/stats/summary.js';
import { evaluateThresholds } from '../lib/thresholds/evaluate.js';
import { LiveThresholds, type LiveFailure } from '../lib/thresholds/live.js';
import type { ConfiguredThreshold } from '../lib/config/types.js';
import type { ReplayMaster, ReplayTask, StoppableWorker } from './messages.js';
import { ActorPool } from './runtime.js';
import { IntervalLogs } from '../lib/report/hlog.js';
import { RunMetrics } from '../lib/metrics/run-metrics.js';
import { serveMetrics, type MetricsServer } from '../lib/metrics/server.js';

export interface ReplayProgress {
  done: number;
  total: number;
  ok: number;
  failed: number;
  bytes: number;
  /** p99 latency so far, ms. */
  p99: number;
}

export interface ReplayOptions {
  config: Config;
  trace: ConfiguredTrace;
  map: DigestMap;
  registries: RegistryEndpoint[];
  /** Epoch ms at which every worker starts (default: shortly after the workers are started). */
  startAtEpochMs?: number;
  /** Replays only these trace clients (sharding); default all. */
  clientFilter?: (client: string) => boolean;
  signal?: AbortSignal;
  /** Live progress, about once a second; without it workers report none (a quiet run does not pay for it). */
  onProgress?: (p: ReplayProgress) => void;
  /** Extra facts for the summary's meta record. */
  meta?: Record<string, unknown>;
  /** Rows per segment handed to a worker at a time (default 65,536). */
  segmentRows?: number;
  /** Judged at the end into the summary; those with abortOnFail also as the run goes. */
  thresholds?: readonly ConfiguredThreshold[];
  /** Write HdrHistogram interval logs (`.hlog`) and percentile distributions (`.hgrm`) per class here. */
  hlogDir?: string;
  /** Serve live metrics for Prometheus here while the run goes, and how long to wait for a last scrape. */
  metrics?: { host: string | undefined; port: number; lingerMs: number; onListening?: (url: string) => void };
}

/** A worker holds about two segments of its share at a time: ~2.2 MB each at this size. */
const SEGMENT_ROWS = 65_536;

export interface ReplayOutcome {
  summary: RunSummary;
  stopped: boolean;
  /** The abort_on_fail threshold that stopped the run, if one did. */
  aborted: LiveFailure | undefined;
  resultsFile: string;
  summaryFile: string;
}

/**
 * The master actor of a run: classifies the requests, routes them by client to client workers, feeds
 * each worker its share segment by segment as it asks, starts them on a common clock, and merges their
 * counters and histograms into the summary. Workers append result rows to the results file themselves;
 * the master renames it into place when the run is done.
 */
export async function runReplay(options: ReplayOptions): Promise<ReplayOutcome> {
  const { config, trace } = options;
  const workers = Math.max(1, Math.min(config.clientInfo.threads, availableParallelism() * 4));
  const router = new ReplayRouter(trace.table, options.map, {
    speed: config.clientInfo.wait ? config.clientInfo.speed : 0,
    registries: options.registries.length,
    selection: config.registrySelection,
    seed: config.seed,
    workers,
    route: config.clientInfo.route,
    segmentRows: options.segmentRows ?? SEGMENT_ROWS,
    manifestsAsImages: config.warmup.manifests === 'image',
    ...(options.clientFilter === undefined ? {} : { keep: options.clientFilter }),
  });
  const active = Array.from({ length: workers }, (_, w) => w).filter((w) => router.rowsOf(w) > 0);
  const resultsFile = config.trace.output;
  const summaryFile = `${resultsFile}.summary.json`;
  const metrics = options.metrics === undefined ? undefined : new RunMetrics(options.registries.map((r) => r.name), router.sendable);
  const metricsServer: MetricsServer | undefined = metrics === undefined || options.metrics === undefined ? undefined : await serveMetrics(metrics.registry, options.metrics, '--metrics');
  if (metricsServer !== undefined) options.metrics?.onListening?.(metricsServer.url);
  const results = await AtomicFile.create(resultsFile).catch(async (err: unknown) => {
    await metricsServer?.close(0);
    throw err;
  });
  const started = new Date();
  const skipped = await writeSkipped(router, trace, results);
  const pool = active.length > 0 ? new ActorPool('client', active.length) : undefined;
  // What the workers rehearse against before the start (see actors/client.ts); a machine where the
  // master cannot listen on loopback replays without rehearsals.
  const rehearsal = pool === undefined ? undefined : await startLoopback().catch(() => undefined);
  const startAtEpochMs = options.startAtEpochMs ?? Date.now() + 300;
  const logs = options.hlogDir === undefined ? undefined : await IntervalLogs.create(options.hlogDir, startAtEpochMs).catch(async (err: unknown) => {
    await Promise.all([results.abort(), rehearsal?.close(), pool?.destroy()]);
    throw err;
  });
  const secondsBefore = new Array<number>(active.length).fill(0);
  const clients: Remote<StoppableWorker>[] = [];
  let stopped = false;
  const thresholds = options.thresholds ?? [];
  const watch = new LiveThresholds(thresholds.filter((t) => t.abortOnFail));
  let aborted: LiveFailure | undefined;
  const stop = (): void => {
    stopped = true;
    // A worker that has finished no longer answers: nothing waits for these.
    for (const client of clients) void client.stop().catch(() => undefined);
  };
  options.signal?.addEventListener('abort', stop, { once: true });
  const live = { done: new Array<number>(active.length).fill(0), ok: new Array<number>(active.length).fill(0), failed: new Array<number>(active.length).fill(0), bytes: new Array<number>(active.length).fill(0) };
  const liveLatency = new Recorder();
  const segmentRows = options.segmentRows ?? SEGMENT_ROWS;
  let reports: EngineReport[] = [];
  try {
    const tasks = active.map((worker, k) => {
      const master: ReplayMaster = {
        nextSegment: () => {
          const batch = router.nextSegment(worker);
          return transfer(batch, transferables(batch));
        },
        progress: (delta) => {
          live.done[k] = delta.done;
          live.ok[k] = delta.ok;
          live.failed[k] = delta.failed;
          live.bytes[k] = delta.bytes;
          const sum = (a: number[]): number => a.reduce((x, y) => x + y, 0);
          metrics?.update(k, delta);
          if (logs !== undefined) {
            logs.add(delta.seconds);
            secondsBefore[k] = delta.secondsBefore;
            void logs.flushBefore(Math.min(...secondsBefore)).catch(() => undefined);
          }
          if (!watch.empty && aborted === undefined) {
            aborted = watch.update(performance.now(), sum(live.ok), sum(live.failed), delta.interval);
            if (aborted !== undefined) stop();
          }
          if (options.onProgress === undefined) return;
          liveLatency.addSparse(delta.interval);
          options.onProgress({ done: sum(live.done), total: router.sendable, ok: sum(live.ok), failed: sum(live.failed), bytes: sum(live.bytes), p99: percentileOfSparse(liveLatency.sparse(), 99) });
        },
        failed: () => stop(),
      };
      const first = router.nextSegment(worker);
      const task: ReplayTask = {
        registries: options.registries,
        first,
        lowWater: Math.max(1, Math.floor(segmentRows / 2)),
        wait: config.clientInfo.wait,
        inFlight: config.clientInfo.inFlight,
        lateMs: config.clientInfo.lateMs,
        startAtEpochMs,
        random: config.warmup.random,
        connectTimeoutMs: Math.min(10_000, config.clientInfo.timeoutMs),
        timeoutMs: config.clientInfo.timeoutMs,
        resultsFile: results.tempPath,
        resultsShownAs: resultsFile,
        manifestsAsImages: config.warmup.manifests === 'image',
        rehearsalOrigin: rehearsal?.origin,
        progress: options.onProgress !== undefined || !watch.empty || logs !== undefined || metrics !== undefined,
        perSecond: logs !== undefined || metrics !== undefined,
      };
      const running = (pool as ActorPool).run<ReplayTask, EngineReport, StoppableWorker>(task, master, transferables(first));
      clients.push(running.worker);
      return running.result;
    });
    if (options.signal?.aborted) stop();
    reports = await Promise.all(tasks);
  } catch (err) {
    await Promise.all([results.abort(), logs?.abort()]);
    throw err;
  } finally {
    options.signal?.removeEventListener('abort', stop);
    await Promise.all([pool?.destroy(), rehearsal?.close(), metricsServer?.close(options.metrics?.lingerMs ?? 0)]);
  }
  const report = mergeReports(reports);
  const notSent = router.sendable - report.sent;
  if (notSent > 0) skipped['not sent: the run was stopped'] = notSent;
  let summary = buildSummary(report, skipped, options.registries.map((r) => r.name), {
    ...options.meta,
    startedAt: started.toISOString(),
    endedAt: new Date().toISOString(),
    workers: active.length,
    actors: active.reduce((sum, w) => sum + router.actorsOf(w), 0),
    stopped,
    ...(aborted === undefined ? {} : { abortedBy: aborted.threshold.source }),
  }, startAtEpochMs);
  if (thresholds.length > 0) {
    const verdicts = evaluateThresholds(thresholds.map((t) => t.threshold), summary).map((verdict) =>
      verdict.threshold === aborted?.threshold.source ? { ...verdict, pass: false, aborted: { windowSeconds: aborted.windowSeconds, shown: aborted.shown } } : verdict,
    );
    summary = withThresholds(summary, verdicts);
  }
  let files: AtomicFile[];
  try {
    const file = await AtomicFile.create(summaryFile);
    await file.write(`${JSON.stringify(summary, null, 2)}\n`);
    files = [results, file, ...((await logs?.finish()) ?? [])];
  } catch (err) {
    await Promise.all([results.abort(), logs?.abort()]);
    throw err;
  }
  // Results, summary and logs land together: no results without their summary.
  await AtomicFile.commitAll(files);
  return { summary, stopped, aborted, resultsFile, summaryFile };
}

/** The buffers of a segment, moved (not copied) to the worker. */
function transferables(batch: SegmentBatch): ArrayBuffer[] {
  const s = batch.segment;
  if (s === null) return [];
  return [s.due, s.op, s.size, s.registry, s.actor, s.target, s.repo, s.rowId].map((a) => a.buffer as ArrayBuffer);
}

/** Writes a result row per skipped request (before the workers start appending) and counts them by reason. */
async function writeSkipped(router: ReplayRouter, trace: ConfiguredTrace, results: AtomicFile): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const { table } = trace;
  let batch = '';
  for (let i = 0; i < router.kind.length; i++) {
    const kind = router.kind[i];
    const reason = SKIP_REASONS[kind];
    if (reason === undefined) continue;
    counts[reason] = (counts[reason] ?? 0) + 1;
    const text = kind === -3 ? `${reason}: ${router.warmupFailures.get(i)}` : reason;
    const op = opOf(table.columns.method[i], table.columns.kind[i]);
    batch += skippedRow(i, op < 0 ? 0 : op, table.columns.size[i], table.pools.clients.get(table.columns.client[i]), table.offsetMs(i), text);
    if (batch.length > 1 << 20) {
      await results.write(batch);
      batch = '';
    }
  }
  if (batch.length > 0) await results.write(batch);
  return counts;
}
