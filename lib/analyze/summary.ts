import { decodeHistogram, newHistogram, percentilesMs, type Percentiles } from '../stats/histogram.js';
import { PULL_WINDOWS, type FilePartial, type SecondCounts } from './pass.js';

export interface SizeSummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Share of distinct objects under 1 MB and under 10 MB (the paper's headline figures). */
  under1MB: number;
  under10MB: number;
}

export interface PopularitySummary {
  distinct: number;
  requests: number;
  /** Share of requests that go to the most requested 1% and 10%. */
  top1pct: number;
  top10pct: number;
  /** Exponent of a Zipf fit (least squares on log count against log rank). */
  zipf: number;
}

/** The characterisation of a trace (or of one data center), as `drtp analyze --json` prints it. */
export interface Analysis {
  files: number;
  records: number;
  replayable: number;
  malformed: number;
  byMethodKind: Record<string, number>;
  byStatus: Record<string, number>;
  sizes: { layers: SizeSummary; manifests: SizeSummary };
  popularity: { layers: PopularitySummary; repos: PopularitySummary; users: PopularitySummary; clients: PopularitySummary };
  time: {
    first: string | null;
    last: string | null;
    spanSeconds: number;
    perHour: { hour: string; requests: number }[];
    perDay: { day: string; requests: number }[];
    interArrivalMs: Percentiles;
    busiestSecond: { at: string; requests: number } | null;
    busiestMinute: { at: string; requests: number } | null;
  };
  pulls: {
    manifestGets: number;
    /** Share of manifest GETs followed by a layer GET of the same client within 1, 10, 60 s. */
    followedWithin: Record<string, number>;
    delayMs: Percentiles;
    pushedLayers: number;
    /** Share of pushed layers pulled afterwards, how soon, and by how many clients on average. */
    pulledAfterPush: number;
    pushToPullMs: Percentiles;
    pullersPerPulledLayer: number;
  };
  responseTime: Record<string, Percentiles>;
}

const addCounts = (into: Record<string, number>, from: Record<string, number>): void => {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
};

const addMap = <K>(into: Map<K, number>, from: Map<K, number>): void => {
  for (const [k, v] of from) into.set(k, (into.get(k) ?? 0) + v);
};

/** What the HTML report draws, beside the numbers. */
export interface ChartData {
  layerSizes: Float64Array;
  manifestSizes: Float64Array;
  /** GETs per layer, most requested first. */
  layerRequests: Float64Array;
  /** Pull delay distribution: [ms, cumulative share]. */
  pullDelayCdf: [number, number][];
  /** Requests per second of the trace: [seconds since the first request, requests], in time order. */
  perSecond: [number, number][];
}

/** Adds up file partials: counts add, id maps merge, histograms merge exactly. */
export function analyze(partials: readonly FilePartial[]): Analysis {
  return analyzeWithCharts(partials).analysis;
}

export function analyzeWithCharts(partials: readonly FilePartial[]): { analysis: Analysis; charts: ChartData } {
  const byMethodKind: Record<string, number> = {};
  const byStatus: Record<string, number> = {};
  const layerSizes = new Map<string, number>();
  const manifestSizes = new Map<string, number>();
  const perLayer = new Map<string, number>();
  const perRepo = new Map<string, number>();
  const perUser = new Map<string, number>();
  const perClient = new Map<string, number>();
  const gap = newHistogram();
  const pullDelay = newHistogram();
  const pushToPull = newHistogram();
  const response = new Map<string, ReturnType<typeof newHistogram>>();
  let records = 0;
  let replayable = 0;
  let malformed = 0;
  let manifestGets = 0;
  const followed = PULL_WINDOWS.map(() => 0);
  let pushed = 0;
  let pulledAfterPush = 0;
  let pullers = 0;
  let first = Infinity;
  let last = -Infinity;
  for (const p of partials) {
    records += p.records;
    replayable += p.replayable;
    malformed += p.read.malformed;
    addCounts(byMethodKind, p.byMethodKind);
    addCounts(byStatus, p.byStatus);
    for (const [k, v] of p.layerSizes) if (!layerSizes.has(k)) layerSizes.set(k, v);
    for (const [k, v] of p.manifestSizes) if (!manifestSizes.has(k)) manifestSizes.set(k, v);
    addMap(perLayer, p.perLayer);
    addMap(perRepo, p.perRepo);
    addMap(perUser, p.perUser);
    addMap(perClient, p.perClient);
    gap.add(decodeHistogram(p.interArrival));
    pullDelay.add(decodeHistogram(p.pullDelay));
    pushToPull.add(decodeHistogram(p.pushToPull));
    for (const [cls, h] of Object.entries(p.responseTime)) {
      let into = response.get(cls);
      if (into === undefined) response.set(cls, (into = newHistogram()));
      into.add(decodeHistogram(h));
    }
    manifestGets += p.manifestGets;
    p.followed.forEach((n, k) => (followed[k] += n));
    pushed += p.pushedLayers;
    pulledAfterPush += p.pushedThenPulled;
    pullers += p.pushPullers;
    if (p.firstMs < first) first = p.firstMs;
    if (p.lastMs > last) last = p.lastMs;
  }
  const perSecond = mergeSeconds(partials.map((p) => p.perSecond));
  const iso = (ms: number): string => new Date(ms).toISOString();
  // Seconds are ascending, so each bucket's seconds are consecutive: one pass, no map.
  const bucketCounts = (size: number): { keys: number[]; counts: number[] } => {
    const keys: number[] = [];
    const counts: number[] = [];
    perSecond.seconds.forEach((second, k) => {
      const bucket = Math.floor(second / size);
      if (bucket === keys[keys.length - 1]) counts[counts.length - 1] += perSecond.counts[k];
      else {
        keys.push(bucket);
        counts.push(perSecond.counts[k]);
      }
    });
    return { keys, counts };
  };
  const buckets = (size: number, cut: number): { at: string; requests: number }[] => {
    const { keys, counts } = bucketCounts(size);
    return keys.map((k, j) => ({ at: iso(k * size * 1000).slice(0, cut), requests: counts[j] }));
  };
  /** The first bucket with the most requests (only its time is formatted). */
  const busiest = (size: number): { at: string; requests: number } | null => {
    const { keys, counts } = bucketCounts(size);
    if (keys.length === 0) return null;
    let best = 0;
    for (let j = 1; j < counts.length; j++) if (counts[j] > counts[best]) best = j;
    return { at: iso(keys[best] * size * 1000).slice(0, 19), requests: counts[best] };
  };
  const responseTime: Record<string, Percentiles> = {};
  for (const [cls, h] of [...response.entries()].sort()) responseTime[cls] = percentilesMs(h);
  const pullDelayCdf: [number, number][] = [];
  if (pullDelay.totalCount > 0) for (let q = 1; q <= 100; q++) pullDelayCdf.push([pullDelay.getValueAtPercentile(q) / 1000, q / 100]);
  const charts: ChartData = {
    layerSizes: Float64Array.from(layerSizes.values()),
    manifestSizes: Float64Array.from(manifestSizes.values()),
    layerRequests: Float64Array.from(perLayer.values()).sort().reverse(),
    pullDelayCdf,
    perSecond: secondsSinceFirst(perSecond),
  };
  const analysis: Analysis = {
    files: partials.length,
    records,
    replayable,
    malformed,
    byMethodKind,
    byStatus,
    sizes: { layers: sizeSummary(layerSizes), manifests: sizeSummary(manifestSizes) },
    popularity: { layers: popularity(perLayer), repos: popularity(perRepo), users: popularity(perUser), clients: popularity(perClient) },
    time: {
      first: Number.isFinite(first) ? iso(first) : null,
      last: Number.isFinite(last) ? iso(last) : null,
      spanSeconds: Number.isFinite(first) ? (last - first) / 1000 : 0,
      perHour: buckets(3600, 13).map(({ at, requests }) => ({ hour: at, requests })),
      perDay: buckets(86400, 10).map(({ at, requests }) => ({ day: at, requests })),
      interArrivalMs: percentilesMs(gap),
      busiestSecond: busiest(1),
      busiestMinute: busiest(60),
    },
    pulls: {
      manifestGets,
      followedWithin: Object.fromEntries(PULL_WINDOWS.map((w, k) => [`${w}s`, manifestGets === 0 ? 0 : followed[k] / manifestGets])),
      delayMs: percentilesMs(pullDelay),
      pushedLayers: pushed,
      pulledAfterPush: pushed === 0 ? 0 : pulledAfterPush / pushed,
      pushToPullMs: percentilesMs(pushToPull),
      pullersPerPulledLayer: pulledAfterPush === 0 ? 0 : pullers / pulledAfterPush,
    },
    responseTime,
  };
  return { analysis, charts };
}

export function sizeSummary(sizes: Map<string, number>): SizeSummary {
  const sorted = Float64Array.from(sizes.values()).sort();
  const n = sorted.length;
  if (n === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0, under1MB: 0, under10MB: 0 };
  const at = (q: number): number => sorted[Math.min(n - 1, Math.ceil(q * n) - 1)];
  let sum = 0;
  let under1 = 0;
  let under10 = 0;
  for (const s of sorted) {
    sum += s;
    if (s < 1e6) under1++;
    if (s < 1e7) under10++;
  }
  return { count: n, mean: sum / n, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[n - 1], under1MB: under1 / n, under10MB: under10 / n };
}

export function popularity(counts: Map<string, number>): PopularitySummary {
  const sorted = Float64Array.from(counts.values()).sort().reverse();
  const n = sorted.length;
  const total = sorted.reduce((a, b) => a + b, 0);
  const top = (share: number): number => {
    const k = Math.max(1, Math.ceil(n * share));
    let sum = 0;
    for (let i = 0; i < Math.min(k, n); i++) sum += sorted[i];
    return total === 0 ? 0 : sum / total;
  };
  return { distinct: n, requests: total, top1pct: top(0.01), top10pct: top(0.1), zipf: zipfExponent(sorted) };
}

/** -slope of least squares of log(count) on log(rank), over ranks with a count. */
export function zipfExponent(descending: Float64Array): number {
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let r = 0; r < descending.length && descending[r] > 0; r++) {
    const x = Math.log(r + 1);
    const y = Math.log(descending[r]);
    n++;
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const denominator = n * sxx - sx * sx;
  return n < 2 || denominator === 0 ? 0 : -(n * sxy - sx * sy) / denominator;
}

/** Per-second counts as [seconds since the first, requests] in time order. */
function secondsSinceFirst(perSecond: SecondCounts): [number, number][] {
  return Array.from(perSecond.seconds, (second, k) => [second - perSecond.seconds[0], perSecond.counts[k]]);
}

/** Adds up the files' per-second counts: every second with requests once, ascending. */
function mergeSeconds(parts: readonly SecondCounts[]): SecondCounts {
  const seconds = new Float64Array(parts.reduce((n, p) => n + p.seconds.length, 0));
  const counts = new Float64Array(seconds.length);
  let at = 0;
  for (const p of parts) {
    seconds.set(p.seconds, at);
    counts.set(p.counts, at);
    at += p.seconds.length;
  }
  // Files of different days are already in order; overlapping ones are sorted and their seconds added.
  const order = Uint32Array.from(seconds.keys()).sort((a, b) => seconds[a] - seconds[b] || a - b);
  const outSeconds: number[] = [];
  const outCounts: number[] = [];
  for (const k of order) {
    if (outSeconds.length > 0 && outSeconds[outSeconds.length - 1] === seconds[k]) outCounts[outCounts.length - 1] += counts[k];
    else {
      outSeconds.push(seconds[k]);
      outCounts.push(counts[k]);
    }
  }
  return { seconds: Float64Array.from(outSeconds), counts: Float64Array.from(outCounts) };
}
