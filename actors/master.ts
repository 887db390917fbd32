import { transfer } from 'comlink';
import { availableParallelism } from 'node:os';
import type { Config } from '../lib/config/types.js';
import type { ConfiguredTrace } from '../lib/config/trace.js';
import { AtomicFile } from '../lib/fsutil/atomic.js';
import type { RegistryEndpoint } from '../lib/registry/endpoint.js';
import type { DigestMap } from '../lib/registry/digest-map.js';
import { startLoopback } from '../lib/registry/loopback.js';
import type { EngineReport } from '../lib/contract/replay.js';
import { ReplayRouter, type SegmentBatch } from '../lib/planning/router.js';
import { writeSkipped } from '../lib/planning/skipped.js';
import { SenderPriority } from '../lib/replay/thread-priority.js';
import { buildSummary, mergeReports, withThresholds, type RunSummary } from '../lib/stats/summary.js';
import { evaluateThresholds } from '../lib/thresholds/evaluate.js';
import type { LiveFailure } from '../lib/thresholds/live.js';
import type { Protocols, ReplayMaster, ReplayTask } from './messages.js';
import { ActorPool, StopFanOut } from './runtime.js';
import { drtpUserAgent } from '../lib/version.js';
import { ReplayObservers, type ObserverOptions } from './replay-observers.js';

export type { ReplayProgress } from './replay-observers.js';

export interface ReplayOptions extends ObserverOptions {
  config: Config;
  trace: ConfiguredTrace;
  map: DigestMap;
  registries: RegistryEndpoint[];
  /** Epoch ms at which every worker starts (default: shortly after the workers are started). */
  startAtEpochMs?: number;
  /** Replays only these trace clients (sharding); default all. */
  clientFilter?: (client: string) => boolean;
  signal?: AbortSignal;
  /** Extra facts for the summary's meta record. */
  meta?: Record<string, unknown>;
  /** Rows per segment handed to a worker at a time (default 65,536). */
  segmentRows?: number;
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
    ...(config.clientInfo.userAgent === 'traced'
      ? {}
      : { userAgent: config.clientInfo.userAgent === 'drtp' ? drtpUserAgent() : config.clientInfo.userAgent }),
    ...(options.clientFilter === undefined ? {} : { keep: options.clientFilter }),
  });
  const active = Array.from({ length: workers }, (_, w) => w).filter((w) => router.rowsOf(w) > 0);
  const resultsFile = config.trace.output;
  const summaryFile = `${resultsFile}.summary.json`;
  const startAtEpochMs = options.startAtEpochMs ?? Date.now() + 300;
  // Live progress, thresholds, interval logs, metrics: without any, workers report nothing as they go.
  const observers = await ReplayObservers.start(
    options,
    active.length,
    router.sendable,
    options.registries.map((r) => r.name),
    startAtEpochMs,
  );
  const results = await AtomicFile.create(resultsFile).catch(async (err: unknown) => {
    await Promise.all([observers.abort(), observers.close()]);
    throw err;
  });
  const started = new Date();
  const skipped = await writeSkipped(router, trace.table, (rows) => results.write(rows));
  const pool = active.length > 0 ? ActorPool.of('client', active.length) : undefined;
  // What the workers rehearse against before the start (see actors/client.ts); a machine where the
  // master cannot listen on loopback replays without rehearsals.
  const rehearsal = pool === undefined ? undefined : await startLoopback().catch(() => undefined);
  const stops = new StopFanOut(options.signal);
  const stop = (): void => stops.stop();
  const segmentRows = options.segmentRows ?? SEGMENT_ROWS;
  // An open loop's senders go ahead of every other thread of the process (see SenderPriority).
  const priority = config.clientInfo.wait ? new SenderPriority(active.length) : undefined;
  let reports: EngineReport[] = [];
  try {
    const tasks = active.map((worker, k) => {
      const master: ReplayMaster = {
        nextSegment: () => {
          const batch = router.nextSegment(worker);
          return transfer(batch, transferables(batch));
        },
        progress: (delta) => {
          if (observers.progress(k, delta)) stop();
        },
        failed: () => stop(),
        senderThreads: (ids) => priority?.keep(ids),
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
        deadlineMs: config.clientInfo.deadlineMs,
        verifyDigests: config.clientInfo.verifyDigests,
        checkSizes: config.clientInfo.checkSizes,
        resultsFile: results.tempPath,
        resultsShownAs: resultsFile,
        manifestsAsImages: config.warmup.manifests === 'image',
        rehearsalOrigin: rehearsal?.origin,
        progress: observers.wantsProgress,
        perSecond: observers.wantsSeconds,
      };
      const running = (pool as ActorPool<Protocols['client']>).run(task, master, transferables(first));
      stops.add(running);
      return running.result;
    });
    reports = await Promise.all(tasks);
  } catch (err) {
    await Promise.all([results.abort(), observers.abort()]);
    throw err;
  } finally {
    stops.close();
    priority?.restore();
    await Promise.all([pool?.destroy(), rehearsal?.close(), observers.close()]);
  }
  const report = mergeReports(reports);
  const notSent = router.sendable - report.sent;
  if (notSent > 0) skipped['not sent: the run was stopped'] = notSent;
  let summary = buildSummary(
    report,
    skipped,
    options.registries.map((r) => r.name),
    {
      ...options.meta,
      startedAt: started.toISOString(),
      endedAt: new Date().toISOString(),
      workers: active.length,
      actors: active.reduce((sum, w) => sum + router.actorsOf(w), 0),
      stopped: stops.stopped,
      ...(observers.abortedBy === undefined ? {} : { abortedBy: observers.abortedBy.threshold.source }),
    },
    startAtEpochMs,
  );
  const thresholds = options.thresholds ?? [];
  const aborted = observers.abortedBy;
  if (thresholds.length > 0) {
    const verdicts = evaluateThresholds(
      thresholds.map((t) => t.threshold),
      summary,
    ).map((verdict) =>
      verdict.threshold === aborted?.threshold.source
        ? { ...verdict, pass: false, aborted: { windowSeconds: aborted.windowSeconds, shown: aborted.shown } }
        : verdict,
    );
    summary = withThresholds(summary, verdicts);
  }
  let files: AtomicFile[];
  try {
    const file = await AtomicFile.create(summaryFile);
    await file.write(`${JSON.stringify(summary, null, 2)}\n`);
    files = [results, file, ...(await observers.files())];
  } catch (err) {
    await Promise.all([results.abort(), observers.abort()]);
    throw err;
  }
  // Results, summary and logs land together: no results without their summary.
  await AtomicFile.commitAll(files);
  return { summary, stopped: stops.stopped, aborted, resultsFile, summaryFile };
}

/** The buffers of a segment, moved (not copied) to the worker. */
function transferables(batch: SegmentBatch): ArrayBuffer[] {
  const s = batch.segment;
  if (s === null) return [];
  return [s.due, s.op, s.size, s.registry, s.actor, s.target, s.repo, s.agent, s.rowId].map(
    (a) => a.buffer as ArrayBuffer,
  );
}
