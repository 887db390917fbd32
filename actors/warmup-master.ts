import type { Remote } from 'comlink';
import { availableParallelism } from 'node:os';
import type { RegistryEndpoint } from '../lib/registry/endpoint.js';
import { isPushed, writeDigestMap, type DigestMap } from '../lib/registry/digest-map.js';
import { shareItems, type WarmupItem } from '../lib/registry/warmup-plan.js';
import { RegistryClient, clientOptions } from '../lib/registry/client.js';
import { pushImageManifest, type ImageLayer } from '../lib/registry/image-manifest.js';
import { DrtpError, isDrtpError } from '../lib/errors.js';
import type { LayerShape, StoppableWorker, WarmupMaster, WarmupReport, WarmupTask, WarmupTaskResult } from './messages.js';
import { ActorPool } from './runtime.js';

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
  const pool = new ActorPool('warmup', workers);
  const summary: WarmupSummary = { items: options.items.length, pushed: 0, present: 0, failed: 0, kept: 0, bytes: 0, stopped: false, failures: [], seconds: 0 };
  const known: Record<string, string> = {};
  for (const [uri, entry] of options.map) if (isPushed(entry)) known[uri] = entry;
  const total = options.items.length * options.registries.length;
  let done = 0;
  let dirty = false;
  const workersOf: Remote<StoppableWorker>[] = [];
  const failedNow = new Set<string>();
  // With manifests: image, what each layer was pushed as (the image configs need its diff_id).
  const shapes = new Map<string, LayerShape>();
  const record = (report: WarmupReport): void => {
    done++;
    if (report.type !== 'failed' && report.layer !== undefined) shapes.set(report.uri, report.layer);
    if (report.type === 'failed') {
      const reason = `${report.error.code}: ${report.error.message}`;
      // A digest an earlier warmup recorded survives a failed check or push (a dead registry must not
      // erase a good map); otherwise a URI that failed on any registry stays failed: the run needs it everywhere.
      const earlier = known[report.uri];
      if (earlier !== undefined && options.map.get(report.uri) === earlier) {
        if (!failedNow.has(report.uri)) summary.kept++;
      } else options.map.set(report.uri, { failed: reason });
      failedNow.add(report.uri);
      if (summary.failures.length < 10) summary.failures.push(`${report.uri}: ${reason}${earlier === undefined ? '' : ` (the map keeps ${earlier})`}`);
    } else if (!failedNow.has(report.uri)) {
      options.map.set(report.uri, report.digest);
    }
    dirty = true;
    options.onReport?.(report, done, total);
  };
  const checkpoint = setInterval(() => {
    if (!dirty) return;
    dirty = false;
    void writeDigestMap(options.output, options.map).catch(() => (dirty = true));
  }, options.checkpointMs ?? 5000);
  const stop = (): void => {
    summary.stopped = true;
    // A worker that has finished no longer answers: nothing waits for these.
    for (const worker of workersOf) void worker.stop().catch(() => undefined);
  };
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    const tasks: Promise<WarmupTaskResult>[] = [];
    const perWorker = Math.max(1, Math.ceil(options.threads / workers));
    const master: WarmupMaster = { blob: record };
    for (const registry of options.registries) {
      for (const share of shareItems(items, workers)) {
        const task: WarmupTask = { registry, items: share, known, concurrency: perWorker, random: options.random, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, archives: asImages };
        const running = pool.run<WarmupTask, WarmupTaskResult, StoppableWorker>(task, master);
        workersOf.push(running.worker);
        tasks.push(running.result);
      }
    }
    if (options.signal?.aborted) stop();
    const results = await Promise.all(tasks);
    for (const r of results) {
      summary.pushed += r.pushed;
      summary.present += r.present;
      summary.failed += r.failed;
      summary.bytes += r.bytes;
    }
    if (asImages) summary.notArchives = [...shapes.values()].filter((shape) => !shape.archive).length;
    if (asImages && !summary.stopped) await pushManifests(options, summary, record, shapes);
  } finally {
    clearInterval(checkpoint);
    options.signal?.removeEventListener('abort', stop);
    await pool.destroy();
    await writeDigestMap(options.output, options.map).catch((err: unknown) => {
      if (!isDrtpError(err)) throw err;
      throw new DrtpError(err.code, `${err.message}; the map there is still the last one written (a checkpoint): make room and run warmup again to resume, blobs already pushed are not pushed again`, err.location);
    });
  }
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}

/**
 * Second phase of `manifests: image`: each manifest URI becomes an OCI image manifest over the layers
 * of its repository that warmup pushed as archives (sizes from the trace), pushed from the master (they
 * are few and small).
 */
async function pushManifests(options: WarmupOptions, summary: WarmupSummary, record: (r: WarmupReport) => void, shapes: ReadonlyMap<string, LayerShape>): Promise<void> {
  const layersOf = new Map<string, ImageLayer[]>();
  for (const item of options.items) {
    const digest = options.map.get(item.uri);
    const shape = shapes.get(item.uri);
    if (item.manifest || !isPushed(digest) || shape === undefined || !shape.archive) continue;
    const list = layersOf.get(item.repo) ?? [];
    if (list.length < 100) list.push({ digest, size: item.size, uri: item.uri, ...shape });
    layersOf.set(item.repo, list);
  }
  for (const registry of options.registries) {
    const client = new RegistryClient(registry, clientOptions(options.timeoutMs ?? DEFAULT_TIMEOUT_MS));
    try {
      for (const item of options.items.filter((i) => i.manifest)) {
        if (options.signal?.aborted) return;
        try {
          const reference = item.uri.slice(item.uri.lastIndexOf('/manifests/') + '/manifests/'.length);
          const digest = await pushImageManifest(client, item.repo, reference, item.uri, layersOf.get(item.repo) ?? [], item.size);
          summary.pushed++;
          summary.bytes += item.size;
          record({ type: 'pushed', uri: item.uri, digest, bytes: item.size, registry: registry.name });
        } catch (err) {
          summary.failed++;
          const error = isDrtpError(err) ? err.toData() : { code: 'E_INTERNAL' as const, message: String(err) };
          record({ type: 'failed', uri: item.uri, error, registry: registry.name });
        }
      }
    } finally {
      await client.close();
    }
  }
}
