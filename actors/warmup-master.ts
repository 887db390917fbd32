import { availableParallelism } from 'node:os';
import type { RegistryEndpoint } from '../lib/registry/endpoint.js';
import { writeDigestMap, type DigestMap } from '../lib/registry/digest-map.js';
import { WarmupLedger, type WarmupReport } from '../lib/registry/warmup-ledger.js';
import { pushImageManifests } from '../lib/registry/image-phase.js';
import { shareItems, type WarmupItem } from '../lib/registry/warmup-plan.js';
import { DrtpError, isDrtpError } from '../lib/errors.js';
import type { WarmupMaster, WarmupTask, WarmupTaskResult } from './messages.js';
import { ActorPool, StopFanOut } from './runtime.js';

const DEFAULT_TIMEOUT_MS = 30_000;

export interface WarmupOptions {
  registries: RegistryEndpoint[];
  items: WarmupItem[];
  /** The existing map (resume), updated in place as blobs are done. */
  map: DigestMap;
  /** Where the map is written: at the end, every `checkpointMs`, and when stopped. */
  output: string;
  /** Pushes in flight, in all. */
  threads: number;
  /** Longest wait for response headers, or between body bytes (default: `client_info.timeout_ms`'s). */
  timeoutMs?: number;
  random: boolean;
  /** Worker threads (default: as many as useful, at most the cores). */
  workers?: number;
  /** `image`: push manifest URIs as OCI image manifests over the repository's warmed layers. */
  manifests?: 'blob' | 'image';
  checkpointMs?: number;
  signal?: AbortSignal;
  onReport?: (report: WarmupReport, done: number, total: number) => void;
}

export interface WarmupSummary {
  items: number;
  pushed: number;
  present: number;
  failed: number;
  /** Of the failed, those whose digest from an earlier warmup the map keeps (only a success replaces one). */
  kept: number;
  bytes: number;
  stopped: boolean;
  /** The first few failures, `uri: code: message`. */
  failures: string[];
  seconds: number;
  /**
   * With `manifests: image`: layers smaller than any gzip-compressed tar (29 bytes), pushed as plain
   * content and left out of the images of their repository.
   */
  notArchives?: number;
}

/**
 * Pushes every item to every registry given, spread over worker threads, and keeps the URI -> digest
 * map current: resumed from what a previous warmup recorded, checkpointed while running, and written
 * whole when done or stopped (the abort signal), so an interrupted warmup leaves a valid map.
 */
export async function runWarmup(options: WarmupOptions): Promise<WarmupSummary> {
  const started = performance.now();
  const asImages = options.manifests === 'image';
  const items = asImages ? options.items.filter((i) => !i.manifest) : options.items;
  const workers = Math.max(1, Math.min(options.workers ?? availableParallelism(), options.threads, items.length || 1));
  const pool = ActorPool.of('warmup', workers);
  const summary: WarmupSummary = {
    items: options.items.length,
    pushed: 0,
    present: 0,
    failed: 0,
    kept: 0,
    bytes: 0,
    stopped: false,
    failures: [],
    seconds: 0,
  };
  const ledger = new WarmupLedger(options.map);
  const known = ledger.known;
  const total = options.items.length * options.registries.length;
  let done = 0;
  const record = (report: WarmupReport): void => {
    done++;
    ledger.record(report);
    options.onReport?.(report, done, total);
  };
  const checkpoint = setInterval(() => {
    if (!ledger.dirty) return;
    ledger.dirty = false;
    void writeDigestMap(options.output, options.map).catch(() => (ledger.dirty = true));
  }, options.checkpointMs ?? 5000);
  const stops = new StopFanOut(options.signal);
  try {
    const tasks: Promise<WarmupTaskResult>[] = [];
    const perWorker = Math.max(1, Math.ceil(options.threads / workers));
    const master: WarmupMaster = { blob: record };
    for (const registry of options.registries) {
      for (const share of shareItems(items, workers)) {
        const task: WarmupTask = {
          registry,
          items: share,
          known,
          concurrency: perWorker,
          random: options.random,
          timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          archives: asImages,
        };
        const running = pool.run(task, master);
        stops.add(running);
        tasks.push(running.result);
      }
    }
    const results = await Promise.all(tasks);
    summary.stopped = stops.stopped;
    for (const r of results) {
      summary.pushed += r.pushed;
      summary.present += r.present;
      summary.failed += r.failed;
      summary.bytes += r.bytes;
    }
    if (asImages) summary.notArchives = ledger.notArchives();
    if (asImages && !summary.stopped) {
      const manifests = await pushImageManifests(
        options.registries,
        options.items.filter((i) => i.manifest),
        ledger.imageLayers(options.items),
        options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        record,
        options.signal,
      );
      summary.pushed += manifests.pushed;
      summary.failed += manifests.failed;
      summary.bytes += manifests.bytes;
    }
  } finally {
    clearInterval(checkpoint);
    stops.close();
    await pool.destroy();
    await writeDigestMap(options.output, options.map).catch((err: unknown) => {
      if (!isDrtpError(err)) throw err;
      throw new DrtpError(
        err.code,
        `${err.message}; the map there is still the last one written (a checkpoint): make room and run warmup again to resume, blobs already pushed are not pushed again`,
        err.location,
      );
    });
  }
  summary.kept = ledger.kept;
  summary.failures = ledger.failures;
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}
