import { basename } from 'node:path';
import { isArchive } from '../trace/inputs.js';
import { loadTrace, loadTraceStream, type TraceReadStats } from '../trace/load.js';
import type { TraceTable } from '../trace/table.js';
import { ByteInterner } from '../trace/interner.js';
import type { StringPool } from '../trace/string-pool.js';
import { keyedFromPool, present, type Combine, type KeyedValues } from './keyed.js';
import { Kind, KIND_NAMES, Method, METHOD_NAMES } from '../trace/request.js';
import { Recorder } from '../stats/recorder.js';

/** Requests per epoch second: `seconds` ascending, each with its count. */
export interface SecondCounts {
  seconds: Float64Array;
  counts: Float64Array;
}

/** Follow-up windows for pulls: a manifest GET followed by layer GETs of the same client within T s. */
export const PULL_WINDOWS = [1, 10, 60] as const;

/**
 * What one trace file says, in a form that adds up across files (and threads): counts, maps keyed by
 * ids (bounded by the number of distinct ids, not of records), and histograms in a Recorder's sparse
 * form (so the analyzer worker never loads hdr-histogram-js, nor deflates what the master inflates).
 */
export interface FilePartial {
  file: string;
  dataCenter: string;
  read: TraceReadStats;
  records: number;
  replayable: number;
  byMethodKind: Record<string, number>;
  byStatus: Record<string, number>;
  /** Per object: its first size as a layer and as a manifest (NaN: none), and GETs as a layer (OBJECT_COLUMNS). */
  objects: KeyedValues;
  /** GETs per repository, user, client. */
  perRepo: KeyedValues;
  perUser: KeyedValues;
  perClient: KeyedValues;
  /** Requests per epoch second, the seconds with requests in time order (busiest second, minute, hour, day derive from it). */
  perSecond: SecondCounts;
  firstMs: number;
  lastMs: number;
  /** Inter-arrival times within this file, ms. */
  interArrival: Float64Array;
  manifestGets: number;
  /** Manifest GETs followed by a layer GET of the same client within each PULL_WINDOWS. */
  followed: number[];
  /** Delay from a manifest GET to the first following layer GET of the same client (within 60 s), ms. */
  pullDelay: Float64Array;
  /** Layers pushed (PUT) in this file, the first pull delay of those pulled later, and their pullers. */
  pushedLayers: number;
  pushedThenPulled: number;
  pushToPull: Float64Array;
  pushPullers: number;
  /** Traced http.request.duration per class ("GET blob"...), ms. */
  responseTime: Record<string, Float64Array>;
}

/** The data center a file belongs to, from names like `prod-dal09-logstash-...` (else "unknown"). */
export function dataCenterOf(file: string): string {
  const name = basename(file);
  const m =
    /(?:^|[-_.])(dal09|fra02|lon02|syd01|dev|prestage|stage)(?:[-_.]|$)/.exec(name) ??
    /^prod-([a-z0-9]+)-/.exec(name) ??
    /^[a-z]+-([a-z]+\d\d)[-_.]/.exec(name);
  return m?.[1] ?? 'unknown';
}

/** Counts by a small code, remembering the order codes were first seen (the order their keys print in). */
class CodeCounts {
  readonly counts: Float64Array;
  readonly order: number[] = [];

  constructor(size: number) {
    this.counts = new Float64Array(size);
  }

  bump(code: number): void {
    if (this.counts[code]++ === 0) this.order.push(code);
  }

  toRecord(name: (code: number) => string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const code of this.order) out[name(code)] = this.counts[code];
    return out;
  }
}

/** The columns of a partial's `objects`, and how each adds up across files. */
export const OBJECT_COLUMNS = { layerSize: 0, manifestSize: 1, layerGets: 2 } as const;
export const OBJECT_COMBINE: readonly Combine[] = ['first', 'first', 'sum'];

/** Counts per interned id of `pool`, for the ids counted (the partial's form). */
function countsByKey(pool: StringPool, counts: Float64Array): KeyedValues {
  return keyedFromPool(pool, present([counts], counts.length), [counts]);
}

const KINDS = KIND_NAMES.length;
const STATUS_CODES = 1000;

/**
 * Analyzes one trace file (read whole into a table: memory bounded by the largest file, not the trace)
 * in one pass over its columns: counts go into dense arrays indexed by the table's interned ids, and
 * strings are looked up once per distinct id at the end, never per record.
 */
export async function analyzeFile(file: string, strict = false): Promise<FilePartial> {
  const { table, stats } = await loadTrace([file], { strict });
  return analyzeTable(file, table, stats);
}

/** The partials of one input: a file's, or one per trace file inside a tar archive (read as it streams). */
export async function analyzeInput(file: string, strict = false): Promise<FilePartial[]> {
  if (!isArchive(file)) return [await analyzeFile(file, strict)];
  const partials: FilePartial[] = [];
  const { archiveMembers } = await import('../trace/archive.js');
  for await (const member of archiveMembers(file)) {
    const name = `${file}:${member.name}`;
    const { table, stats } = await loadTraceStream(name, member.content, { strict });
    partials.push(analyzeTable(name, table, stats));
  }
  return partials;
}

/** The partial of one file's table, in time order (see analyzeFile). */
export function analyzeTable(file: string, table: TraceTable, stats: TraceReadStats): FilePartial {
  const c = table.columns;
  const n = table.length;
  const pools = table.pools;
  const objects = pools.objects.size;
  const firstMs = n > 0 ? c.time[0] : NaN;
  const lastMs = n > 0 ? c.time[n - 1] : NaN;
  // The table is in time order: a second's requests are consecutive, counted as one run.
  // Sized by the seconds seen, not the records: a bursty trace has far fewer.
  let seconds: Float64Array = new Float64Array(Math.min(n, 1 << 12));
  let secondCounts: Float64Array = new Float64Array(seconds.length);
  let secondsSeen = 0;
  const byMethodKind = new CodeCounts(METHOD_NAMES.length * KINDS);
  const byStatus = new CodeCounts(STATUS_CODES);
  const otherStatus = new Map<number, number>();
  const layerSize = new Float64Array(objects).fill(NaN);
  const manifestSize = new Float64Array(objects).fill(NaN);
  const perLayer = new Float64Array(objects);
  const perRepo = new Float64Array(pools.repos.size);
  const perClient = new Float64Array(pools.clients.size);
  // Users are the first path segment of a repository: interned once per repository GET first seen.
  const userOfRepo = new Int32Array(pools.repos.size).fill(-1);
  const users = new ByteInterner();
  let perUser: Float64Array = new Float64Array(64);
  const gap = new Recorder();
  const pullDelay = new Recorder();
  const pushToPull = new Recorder();
  const response: (Recorder | undefined)[] = new Array(METHOD_NAMES.length * KINDS).fill(undefined);
  // Per client: the time of its last manifest GET not yet followed by a layer GET (-1: none).
  const pendingManifest = new Float64Array(pools.clients.size).fill(-1);
  // Per pushed object: the push time (NaN: not pushed), and who pulled it since.
  const pushedAt = new Float64Array(objects).fill(NaN);
  const pullers = new Map<number, Set<number>>();
  let replayable = 0;
  let manifestGets = 0;
  let pushedLayers = 0;
  let pushedThenPulled = 0;
  const followed = PULL_WINDOWS.map(() => 0);
  for (let i = 0; i < n; i++) {
    const method = c.method[i];
    const kind = c.kind[i];
    const t = c.time[i];
    const status = c.status[i];
    const cls = method * KINDS + kind;
    byMethodKind.bump(cls);
    if (status < STATUS_CODES) byStatus.bump(status);
    else otherStatus.set(status, (otherStatus.get(status) ?? 0) + 1);
    const size = c.size[i];
    if ((method === Method.GET || method === Method.PUT) && kind !== Kind.OTHER && size > 0) replayable++;
    if (i > 0) gap.recordMs(t - c.time[i - 1]);
    const second = Math.floor(t / 1000);
    if (secondsSeen > 0 && second === seconds[secondsSeen - 1]) secondCounts[secondsSeen - 1]++;
    else {
      if (secondsSeen === seconds.length) [seconds, secondCounts] = [grown(seconds), grown(secondCounts)];
      seconds[secondsSeen] = second;
      secondCounts[secondsSeen++] = 1;
    }
    const duration = c.duration[i];
    if (Number.isFinite(duration)) (response[cls] ??= new Recorder()).recordMs(duration * 1000);
    if (kind === Kind.OTHER) continue;
    const object = c.object[i];
    if (size > 0 && status < 400) {
      if (kind === Kind.BLOB) {
        if (Number.isNaN(layerSize[object])) layerSize[object] = size;
      } else if (Number.isNaN(manifestSize[object])) manifestSize[object] = size;
    }
    if (method === Method.PUT && kind === Kind.BLOB) {
      if (Number.isNaN(pushedAt[object])) {
        pushedAt[object] = t;
        pushedLayers++;
      }
      continue;
    }
    if (method !== Method.GET) continue;
    const repo = c.repo[i];
    const client = c.client[i];
    perRepo[repo]++;
    let user = userOfRepo[repo];
    if (user < 0) {
      user = userOfRepo[repo] = users.intern(pools.repos.bytes, pools.repos.offsets[repo], userEnd(pools.repos, repo));
      if (user === perUser.length) perUser = grown(perUser);
    }
    perUser[user]++;
    perClient[client]++;
    if (kind === Kind.MANIFEST) {
      if (status < 400) {
        manifestGets++;
        pendingManifest[client] = t;
      }
      continue;
    }
    perLayer[object]++;
    const since = pendingManifest[client];
    if (since >= 0) {
      const delay = t - since;
      for (let k = 0; k < PULL_WINDOWS.length; k++) if (delay <= PULL_WINDOWS[k] * 1000) followed[k]++;
      if (delay <= 60_000) pullDelay.recordMs(delay);
      pendingManifest[client] = -1;
    }
    const pushed = pushedAt[object];
    if (t >= pushed) {
      let set = pullers.get(object);
      if (set === undefined) {
        pullers.set(object, (set = new Set()));
        pushedThenPulled++;
        pushToPull.recordMs(t - pushed);
      }
      set.add(client);
    }
  }
  let pushPullers = 0;
  for (const set of pullers.values()) pushPullers += set.size;
  const statuses = byStatus.toRecord(String);
  for (const [status, count] of otherStatus) statuses[String(status)] = count;
  const responseTime: Record<string, Float64Array> = {};
  for (const cls of byMethodKind.order) {
    const h = response[cls];
    if (h !== undefined) responseTime[classNameOf(cls)] = h.sparse();
  }
  return {
    file,
    dataCenter: dataCenterOf(file),
    read: stats,
    records: stats.records,
    replayable,
    byMethodKind: byMethodKind.toRecord(classNameOf),
    byStatus: statuses,
    objects: keyedFromPool(pools.objects, present([layerSize, manifestSize, perLayer], objects), [
      layerSize,
      manifestSize,
      perLayer,
    ]),
    perRepo: countsByKey(pools.repos, perRepo),
    perUser: countsByKey(users.toPool(), perUser.subarray(0, users.size)),
    perClient: countsByKey(pools.clients, perClient),
    perSecond: { seconds: seconds.slice(0, secondsSeen), counts: secondCounts.slice(0, secondsSeen) },
    firstMs,
    lastMs,
    interArrival: gap.sparse(),
    manifestGets,
    followed,
    pullDelay: pullDelay.sparse(),
    pushedLayers,
    pushedThenPulled,
    pushToPull: pushToPull.sparse(),
    pushPullers,
    responseTime,
  };
}

/** Where the user part of repository `id` ends: at its first `/`, or its end. */
function userEnd(repos: StringPool, id: number): number {
  const end = repos.offsets[id + 1];
  for (let p = repos.offsets[id]; p < end; p++) if (repos.bytes[p] === 0x2f) return p;
  return end;
}

function grown(values: Float64Array): Float64Array {
  const next = new Float64Array(values.length * 2);
  next.set(values);
  return next;
}

/** `GET blob` for the code of (GET, blob). */
function classNameOf(cls: number): string {
  return `${METHOD_NAMES[Math.floor(cls / KINDS)]} ${KIND_NAMES[cls % KINDS]}`;
}
