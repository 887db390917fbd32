import { MessageChannel } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { Config } from '../lib/config/types.js';
import type { ConfiguredTrace } from '../lib/config/trace.js';
import { AtomicFile } from '../lib/fsutil/atomic.js';
import type { RegistryEndpoint } from '../lib/registry/endpoint.js';
import type { DigestMap } from '../lib/registry/digest-map.js';
import { isRead, Op } from '../lib/schedule/classes.js';
import type { EngineReport } from '../lib/schedule/engine.js';
import { partition, type Share } from '../lib/schedule/partition.js';
import { buildPlan, SKIP_REASONS, type ReplayPlan } from '../lib/schedule/plan.js';
import { decodeHistogram, newHistogram, percentilesMs } from '../lib/stats/histogram.js';
import { skippedRow } from '../lib/stats/result-row.js';
import { buildSummary, mergeReports, type RunSummary } from '../lib/stats/summary.js';
import { PROTOCOL_VERSION, type ControlMessage, type PortDone, type ReplayReport, type ReplayTask, type ReplayTaskResult } from './messages.js';
import { workerPool } from './pool.js';

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
  onProgress?: (p: ReplayProgress) => void;
  /** Extra facts for the summary's meta record. */
  meta?: Record<string, unknown>;
}

export interface ReplayOutcome {
  summary: RunSummary;
  stopped: boolean;
  resultsFile: string;
  summaryFile: string;
}

/**
 * The master actor of a run: plans the replay, partitions it by client over the client workers, starts
 * them on a common clock, writes their result rows as they come (NDJSON, atomically renamed when done)
 * and merges their counters and histograms into the summary.
 */
export async function runReplay(options: ReplayOptions): Promise<ReplayOutcome> {
  const { config, trace } = options;
  const plan = buildPlan(trace.table, options.map, { speed: config.clientInfo.wait ? config.clientInfo.speed : 1, registries: options.registries.length, selection: config.registrySelection, seed: config.seed });
  if (options.clientFilter !== undefined) excludeClients(plan, trace, options.clientFilter);
  const workers = Math.max(1, Math.min(config.clientInfo.threads, availableParallelism() * 4));
  const shares = partition(plan, trace.table.pools.clients, workers, config.clientInfo.route).filter((s) => s.rows.length > 0);
  const resultsFile = config.trace.output;
  const summaryFile = `${resultsFile}.summary.json`;
  const results = await AtomicFile.create(resultsFile);
  const started = new Date();
  let writing = Promise.resolve();
  const write = (text: string): void => {
    writing = writing.then(() => results.write(text));
  };
  const skipped = writeSkipped(plan, trace, write);
  await writing; // skipped rows first: workers append to the same file from here on
  const pool = shares.length > 0 ? workerPool('client', shares.length) : undefined;
  const ports: import('node:worker_threads').MessagePort[] = [];
  let stopped = false;
  const stop = (): void => {
    stopped = true;
    for (const port of ports) port.postMessage({ type: 'stop' } satisfies ControlMessage);
  };
  options.signal?.addEventListener('abort', stop, { once: true });
  const sendable = shares.reduce((sum, s) => sum + s.rows.length, 0);
  const live = { done: new Array<number>(shares.length).fill(0), ok: new Array<number>(shares.length).fill(0), failed: new Array<number>(shares.length).fill(0), bytes: new Array<number>(shares.length).fill(0) };
  const liveLatency = newHistogram();
  const startAtEpochMs = options.startAtEpochMs ?? Date.now() + 300;
  let reports: EngineReport[] = [];
  try {
    const drained: Promise<void>[] = [];
    const tasks = shares.map((share, w) => {
      const { port1, port2 } = new MessageChannel();
      ports.push(port1);
      drained.push(
        new Promise((resolve) => {
          port1.on('message', (m: ReplayReport | PortDone) => {
            if (m.type === 'progress') {
              live.done[w] = m.done;
              live.ok[w] = m.ok;
              live.failed[w] = m.failed;
              live.bytes[w] = m.bytes;
              liveLatency.add(decodeHistogram(m.interval));
              const sum = (a: number[]): number => a.reduce((x, y) => x + y, 0);
              options.onProgress?.({ done: sum(live.done), total: sendable, ok: sum(live.ok), failed: sum(live.failed), bytes: sum(live.bytes), p99: percentilesMs(liveLatency).p99 });
            } else {
              port1.close();
              resolve();
            }
          });
        }),
      );
      const task = replayTask(plan, trace, share, options.registries, config, startAtEpochMs, port2, results.tempPath);
      return (pool as NonNullable<typeof pool>).run(task, { transferList: [port2, task.due.buffer, task.op.buffer, task.size.buffer, task.registry.buffer, task.actor.buffer, task.target.buffer, task.repo.buffer, task.rowId.buffer] as never }) as Promise<ReplayTaskResult>;
    });
    if (options.signal?.aborted) stop();
    reports = await Promise.all(tasks);
    await Promise.all(drained);
    await writing;
  } catch (err) {
    await writing.catch(() => undefined);
    await results.abort();
    throw err;
  } finally {
    options.signal?.removeEventListener('abort', stop);
    await pool?.destroy();
  }
  await results.commit();
  const report = mergeReports(reports);
  const notSent = plan.length - skippedTotal(skipped) - report.sent;
  if (notSent > 0) skipped['not sent: the run was stopped'] = notSent;
  const summary = buildSummary(report, skipped, options.registries.map((r) => r.name), {
    ...options.meta,
    startedAt: started.toISOString(),
    endedAt: new Date().toISOString(),
    workers: shares.length,
    actors: shares.reduce((sum, s) => sum + s.actorNames.length, 0),
    stopped,
  });
  const file = await AtomicFile.create(summaryFile);
  await file.write(`${JSON.stringify(summary, null, 2)}\n`);
  await file.commit();
  return { summary, stopped, resultsFile, summaryFile };
}

function skippedTotal(skipped: Record<string, number>): number {
  return Object.values(skipped).reduce((a, b) => a + b, 0);
}

/** Marks the requests of clients outside the filter as not part of this run (a shard's complement). */
function excludeClients(plan: ReplayPlan, trace: ConfiguredTrace, keep: (client: string) => boolean): void {
  const pool = trace.table.pools.clients;
  const verdict = new Int8Array(pool.size);
  for (let i = 0; i < plan.length; i++) {
    const c = plan.client[i];
    if (verdict[c] === 0) verdict[c] = keep(pool.get(c)) ? 1 : -1;
    if (verdict[c] < 0) plan.skip[i] = 255;
  }
}

/** Writes a result row per skipped request and counts them by reason. */
function writeSkipped(plan: ReplayPlan, trace: ConfiguredTrace, write: (text: string) => void): Record<string, number> {
  const counts: Record<string, number> = {};
  let batch = '';
  for (let i = 0; i < plan.length; i++) {
    const reason = plan.skip[i];
    if (reason === 0 || reason === 255) continue;
    const text = reason === 2 ? `${SKIP_REASONS[2]}: ${plan.warmupFailures.get(i)}` : SKIP_REASONS[reason];
    counts[SKIP_REASONS[reason]] = (counts[SKIP_REASONS[reason]] ?? 0) + 1;
    batch += skippedRow(i, plan.op[i], plan.size[i], trace.table.pools.clients.get(plan.client[i]), plan.due[i], text);
    if (batch.length > 1 << 20) {
      write(batch);
      batch = '';
    }
  }
  if (batch.length > 0) write(batch);
  return counts;
}

/** The typed-array task of one share: columns gathered for its rows, strings interned per share. */
function replayTask(plan: ReplayPlan, trace: ConfiguredTrace, share: Share, registries: RegistryEndpoint[], config: Config, startAtEpochMs: number, port: import('node:worker_threads').MessagePort, resultsFile: string): ReplayTask {
  const n = share.rows.length;
  const strings: string[] = [];
  const ids = new Map<string, number>();
  const intern = (s: string): number => {
    let id = ids.get(s);
    if (id === undefined) {
      id = strings.length;
      strings.push(s);
      ids.set(s, id);
    }
    return id;
  };
  const task: ReplayTask = {
    type: 'replay',
    protocolVersion: PROTOCOL_VERSION,
    registries,
    due: new Float64Array(n),
    op: new Uint8Array(n),
    size: new Float64Array(n),
    registry: new Uint8Array(n),
    actor: share.actor,
    target: new Uint32Array(n),
    repo: new Uint32Array(n),
    rowId: share.rows,
    strings,
    actorNames: share.actorNames,
    wait: config.clientInfo.wait,
    inFlight: config.clientInfo.inFlight,
    lateMs: config.clientInfo.lateMs,
    startAtEpochMs,
    random: config.warmup.random,
    connectTimeoutMs: Math.min(10_000, config.clientInfo.timeoutMs),
    timeoutMs: config.clientInfo.timeoutMs,
    resultsFile,
    manifestsAsImages: config.warmup.manifests === 'image',
    port,
  };
  const table = trace.table;
  const images = config.warmup.manifests === 'image';
  for (let j = 0; j < n; j++) {
    const i = share.rows[j];
    task.due[j] = plan.due[i];
    task.op[j] = plan.op[i];
    task.size[j] = plan.size[i];
    task.registry[j] = plan.registry[i];
    const repo = table.pools.repos.get(table.columns.repo[i]);
    task.repo[j] = intern(repo);
    // Manifests are read as blobs (warmup pushed them as blobs, as the original player did), or as
    // manifests when warmup pushed image manifests.
    const asManifest = images && (plan.op[i] === Op.GET_MANIFEST || plan.op[i] === Op.HEAD_MANIFEST);
    task.target[j] = intern(isRead(plan.op[i]) ? `/v2/${repo}/${asManifest ? 'manifests' : 'blobs'}/${plan.digests[plan.digest[i]]}` : table.uri(i));
  }
  return task;
}
