import { basename } from 'node:path';
import { loadTrace, type TraceReadStats } from '../trace/load.js';
import { Kind, KIND_NAMES, Method, METHOD_NAMES } from '../trace/request.js';
import { encodeSparse } from '../stats/histogram.js';
import { Recorder } from '../stats/recorder.js';

/** Follow-up windows for pulls: a manifest GET followed by layer GETs of the same client within T s. */
export const PULL_WINDOWS = [1, 10, 60] as const;

/**
 * What one trace file says, in a form that adds up across files (and threads): counts, maps keyed by
 * ids (bounded by the number of distinct ids, not of records), and encoded HDR histograms.
 */
export interface FilePartial {
  file: string;
  dataCenter: string;
  read: TraceReadStats;
  records: number;
  replayable: number;
  byMethodKind: Record<string, number>;
  byStatus: Record<string, number>;
  /** Distinct layer / manifest -> size (first seen). */
  layerSizes: Map<string, number>;
  manifestSizes: Map<string, number>;
  /** GETs per layer, repository, user, client. */
  perLayer: Map<string, number>;
  perRepo: Map<string, number>;
  perUser: Map<string, number>;
  perClient: Map<string, number>;
  /** Requests per epoch second (busiest second, minute, hour, day derive from it). */
  perSecond: Map<number, number>;
  firstMs: number;
  lastMs: number;
  /** Inter-arrival times within this file, ms. */
  interArrival: string;
  manifestGets: number;
  /** Manifest GETs followed by a layer GET of the same client within each PULL_WINDOWS. */
  followed: number[];
  /** Delay from a manifest GET to the first following layer GET of the same client (within 60 s), ms. */
  pullDelay: string;
  /** Layers pushed (PUT) in this file, the first pull delay of those pulled later, and their pullers. */
  pushedLayers: number;
  pushedThenPulled: number;
  pushToPull: string;
  pushPullers: number;
  /** Traced http.request.duration per class ("GET blob"...), ms. */
  responseTime: Record<string, string>;
}

/** The data center a file belongs to, from names like `prod-dal09-logstash-...` (else "unknown"). */
export function dataCenterOf(file: string): string {
  const name = basename(file);
  const m = /(?:^|[-_.])(dal09|fra02|lon02|syd01|dev|prestage|stage)(?:[-_.]|$)/.exec(name) ?? /^prod-([a-z0-9]+)-/.exec(name) ?? /^[a-z]+-([a-z]+\d\d)[-_.]/.exec(name);
  return m?.[1] ?? 'unknown';
}

const MS = 1;

/** Analyzes one trace file (read whole into a table: memory bounded by the largest file, not the trace). */
export async function analyzeFile(file: string, strict = false): Promise<FilePartial> {
  const { table, stats } = await loadTrace([file], { strict });
  const c = table.columns;
  const p: FilePartial = {
    file,
    dataCenter: dataCenterOf(file),
    read: stats,
    records: stats.records,
    replayable: 0,
    byMethodKind: {},
    byStatus: {},
    layerSizes: new Map(),
    manifestSizes: new Map(),
    perLayer: new Map(),
    perRepo: new Map(),
    perUser: new Map(),
    perClient: new Map(),
    perSecond: new Map(),
    firstMs: table.length > 0 ? c.time[0] : NaN,
    lastMs: table.length > 0 ? c.time[table.length - 1] : NaN,
    interArrival: '',
    manifestGets: 0,
    followed: PULL_WINDOWS.map(() => 0),
    pullDelay: '',
    pushedLayers: 0,
    pushedThenPulled: 0,
    pushToPull: '',
    pushPullers: 0,
    responseTime: {},
  };
  const bump = <K>(m: Map<K, number>, k: K): void => void m.set(k, (m.get(k) ?? 0) + 1);
  const gap = new Recorder();
  const pullDelay = new Recorder();
  const pushToPull = new Recorder();
  const response = new Map<string, Recorder>();
  const pools = table.pools;
  // Per client: the time of its last manifest GET not yet followed by a layer GET (-1: none).
  const pendingManifest = new Float64Array(pools.clients.size).fill(-1);
  // Per pushed object: the push time, and who pulled it since.
  const pushedAt = new Map<number, number>();
  const pullers = new Map<number, Set<number>>();
  for (let i = 0; i < table.length; i++) {
    const method = c.method[i];
    const kind = c.kind[i];
    const t = c.time[i];
    const cls = `${METHOD_NAMES[method]} ${KIND_NAMES[kind]}`;
    p.byMethodKind[cls] = (p.byMethodKind[cls] ?? 0) + 1;
    p.byStatus[String(c.status[i])] = (p.byStatus[String(c.status[i])] ?? 0) + 1;
    if ((method === Method.GET || method === Method.PUT) && kind !== Kind.OTHER && c.size[i] > 0) p.replayable++;
    if (i > 0) gap.recordMs((t - c.time[i - 1]) * MS);
    bump(p.perSecond, Math.floor(t / 1000));
    const duration = c.duration[i];
    if (Number.isFinite(duration)) {
      let h = response.get(cls);
      if (h === undefined) response.set(cls, (h = new Recorder()));
      h.recordMs(duration * 1000);
    }
    if (kind === Kind.OTHER) continue;
    const object = pools.objects.get(c.object[i]);
    const repo = pools.repos.get(c.repo[i]);
    if (c.size[i] > 0 && c.status[i] < 400) {
      const sizes = kind === Kind.BLOB ? p.layerSizes : p.manifestSizes;
      if (!sizes.has(object)) sizes.set(object, c.size[i]);
    }
    if (method === Method.PUT && kind === Kind.BLOB) {
      if (!pushedAt.has(c.object[i])) {
        pushedAt.set(c.object[i], t);
        p.pushedLayers++;
      }
      continue;
    }
    if (method !== Method.GET) continue;
    bump(p.perRepo, repo);
    bump(p.perUser, repo.split('/')[0]);
    bump(p.perClient, pools.clients.get(c.client[i]));
    const client = c.client[i];
    if (kind === Kind.MANIFEST) {
      if (c.status[i] < 400) {
        p.manifestGets++;
        pendingManifest[client] = t;
      }
      continue;
    }
    bump(p.perLayer, object);
    const since = pendingManifest[client];
    if (since >= 0) {
      const delay = t - since;
      PULL_WINDOWS.forEach((w, k) => {
        if (delay <= w * 1000) p.followed[k]++;
      });
      if (delay <= 60_000) pullDelay.recordMs(delay);
      pendingManifest[client] = -1;
    }
    const pushed = pushedAt.get(c.object[i]);
    if (pushed !== undefined && t >= pushed) {
      let set = pullers.get(c.object[i]);
      if (set === undefined) {
        pullers.set(c.object[i], (set = new Set()));
        p.pushedThenPulled++;
        pushToPull.recordMs(t - pushed);
      }
      set.add(client);
    }
  }
  for (const set of pullers.values()) p.pushPullers += set.size;
  p.interArrival = encodeSparse(gap.sparse());
  p.pullDelay = encodeSparse(pullDelay.sparse());
  p.pushToPull = encodeSparse(pushToPull.sparse());
  for (const [cls, h] of response) p.responseTime[cls] = encodeSparse(h.sparse());
  return p;
}
