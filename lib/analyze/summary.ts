import { histogramOfSparse, percentilesMs, type Percentiles } from '../stats/histogram.js';
import { Recorder } from '../stats/recorder.js';
import { KeyedTotals } from './keyed.js';
import { OBJECT_COLUMNS, OBJECT_COMBINE, PULL_WINDOWS, type FilePartial, type SecondCounts } from './pass.js';

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
  popularity: {
    layers: PopularitySummary;
    repos: PopularitySummary;
    users: PopularitySummary;
    clients: PopularitySummary;
  };
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

/**
 * File partials added up one at a time, in the order the files were given (the first size seen of an
 * object wins): counts add, keyed figures merge by key, histogram counts add exactly. A master adds each
 * partial as it arrives, while workers still read the rest.
 */
export class AnalysisTotals {
  private files = 0;
  private readonly byMethodKind: Record<string, number> = {};
  private readonly byStatus: Record<string, number> = {};
  private readonly objects = new KeyedTotals(OBJECT_COMBINE);
  private readonly perRepo = new KeyedTotals(['sum']);
  private readonly perUser = new KeyedTotals(['sum']);
  private readonly perClient = new KeyedTotals(['sum']);
  private readonly gap = new Recorder();
  private readonly pullDelay = new Recorder();
  private readonly pushToPull = new Recorder();
  private readonly response = new Map<string, Recorder>();
  private readonly seconds: SecondCounts[] = [];
  private records = 0;
  private replayable = 0;
  private malformed = 0;
  private manifestGets = 0;
  private readonly followed = PULL_WINDOWS.map(() => 0);
  private pushed = 0;
  private pulledAfterPush = 0;
  private pullers = 0;
  private first = Infinity;
  private last = -Infinity;

  add(p: FilePartial): void {
    this.files++;
    this.records += p.records;
    this.replayable += p.replayable;
    this.malformed += p.read.malformed;
    addCounts(this.byMethodKind, p.byMethodKind);
    addCounts(this.byStatus, p.byStatus);
    this.objects.add(p.objects);
    this.perRepo.add(p.perRepo);
    this.perUser.add(p.perUser);
    this.perClient.add(p.perClient);
    this.gap.addSparse(p.interArrival);
    this.pullDelay.addSparse(p.pullDelay);
    this.pushToPull.addSparse(p.pushToPull);
    for (const [cls, h] of Object.entries(p.responseTime)) {
      let into = this.response.get(cls);
      if (into === undefined) this.response.set(cls, (into = new Recorder()));
      into.addSparse(h);
    }
    this.manifestGets += p.manifestGets;
    p.followed.forEach((n, k) => (this.followed[k] += n));
    this.pushed += p.pushedLayers;
    this.pulledAfterPush += p.pushedThenPulled;
    this.pullers += p.pushPullers;
    this.seconds.push(p.perSecond);
    if (p.firstMs < this.first) this.first = p.firstMs;
    if (p.lastMs > this.last) this.last = p.lastMs;
  }

  /** The analysis, and the charts' data, made only when asked for (the HTML page's; `--json` needs none). */
  result(): { analysis: Analysis; charts: () => ChartData } {
    const { byMethodKind, byStatus } = this;
    // Counts add up exactly as Recorders; each becomes a library histogram once, here.
    const [gap, pullDelay, pushToPull] = [this.gap, this.pullDelay, this.pushToPull].map((r) =>
      histogramOfSparse(r.sparse()),
    );
    const layerSizes = this.objects.column(OBJECT_COLUMNS.layerSize);
    const manifestSizes = this.objects.column(OBJECT_COLUMNS.manifestSize);
    const perLayer = this.objects.column(OBJECT_COLUMNS.layerGets);
    const [perRepo, perUser, perClient] = [this.perRepo.column(0), this.perUser.column(0), this.perClient.column(0)];
    const { records, replayable, malformed, manifestGets, followed, pushed, pulledAfterPush, pullers, first, last } =
      this;
    const perSecond = mergeSeconds(this.seconds);
    const iso = (ms: number): string => new Date(ms).toISOString();
    const buckets = (size: number, cut: number): { at: string; requests: number }[] =>
      bucketTotals(perSecond, size).map(([bucket, requests]) => ({
        at: iso(bucket * size * 1000).slice(0, cut),
        requests,
      }));
    const busiest = (size: number): { at: string; requests: number } | null => {
      const top = busiestBucket(perSecond, size);
      return top === null ? null : { at: iso(top.bucket * size * 1000).slice(0, 19), requests: top.requests };
    };
    const responseTime: Record<string, Percentiles> = {};
    for (const [cls, r] of [...this.response.entries()].sort())
      responseTime[cls] = percentilesMs(histogramOfSparse(r.sparse()));
    const analysis: Analysis = {
      files: this.files,
      records,
      replayable,
      malformed,
      byMethodKind,
      byStatus,
      sizes: { layers: sizeSummary(layerSizes), manifests: sizeSummary(manifestSizes) },
      popularity: {
        layers: popularity(perLayer),
        repos: popularity(perRepo),
        users: popularity(perUser),
        clients: popularity(perClient),
      },
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
        followedWithin: Object.fromEntries(
          PULL_WINDOWS.map((w, k) => [`${w}s`, manifestGets === 0 ? 0 : followed[k] / manifestGets]),
        ),
        delayMs: percentilesMs(pullDelay),
        pushedLayers: pushed,
        pulledAfterPush: pushed === 0 ? 0 : pulledAfterPush / pushed,
        pushToPullMs: percentilesMs(pushToPull),
        pullersPerPulledLayer: pulledAfterPush === 0 ? 0 : pullers / pulledAfterPush,
      },
      responseTime,
    };
    const charts = (): ChartData => {
      const pullDelayCdf: [number, number][] = [];
      if (pullDelay.totalCount > 0)
        for (let q = 1; q <= 100; q++) pullDelayCdf.push([pullDelay.getValueAtPercentile(q) / 1000, q / 100]);
      return {
        layerSizes,
        manifestSizes,
        layerRequests: perLayer.slice().sort().reverse(),
        pullDelayCdf,
        perSecond: secondsSinceFirst(perSecond),
      };
    };
    return { analysis, charts };
  }
}

/** Requests per bucket of `size` seconds, as [bucket, requests] in time order (buckets with none left out). */
function bucketTotals({ seconds, counts }: SecondCounts, size: number): [number, number][] {
  const out: [number, number][] = [];
  // Seconds are ascending, so each bucket's seconds are consecutive: one pass, no map.
  for (let k = 0; k < seconds.length; k++) {
    const bucket = Math.floor(seconds[k] / size);
    const last = out[out.length - 1];
    if (last !== undefined && last[0] === bucket) last[1] += counts[k];
    else out.push([bucket, counts[k]]);
  }
  return out;
}

/** The first bucket of `size` seconds with the most requests, or null when there are none. */
function busiestBucket({ seconds, counts }: SecondCounts, size: number): { bucket: number; requests: number } | null {
  let best: { bucket: number; requests: number } | null = null;
  for (let k = 0; k < seconds.length;) {
    const bucket = Math.floor(seconds[k] / size);
    let requests = 0;
    for (; k < seconds.length && Math.floor(seconds[k] / size) === bucket; k++) requests += counts[k];
    if (best === null || requests > best.requests) best = { bucket, requests };
  }
  return best;
}

/** Sizes of distinct objects. */
export function sizeSummary(sizes: Float64Array): SizeSummary {
  const sorted = sizes.slice().sort();
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
  return {
    count: n,
    mean: sum / n,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: sorted[n - 1],
    under1MB: under1 / n,
    under10MB: under10 / n,
  };
}

/** Requests per distinct key. */
export function popularity(counts: Float64Array): PopularitySummary {
  const sorted = counts.slice().sort().reverse();
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
  // Files of different days come in order: their seconds are already ascending (a file's last second may
  // be the next one's first). Overlapping files are sorted, and their common seconds added.
  let ascending = true;
  for (let k = 1; k < seconds.length && ascending; k++) if (seconds[k] < seconds[k - 1]) ascending = false;
  const order = ascending ? null : Uint32Array.from(seconds.keys()).sort((a, b) => seconds[a] - seconds[b] || a - b);
  const outSeconds = new Float64Array(seconds.length);
  const outCounts = new Float64Array(seconds.length);
  let n = 0;
  for (let j = 0; j < seconds.length; j++) {
    const k = order === null ? j : order[j];
    if (n > 0 && outSeconds[n - 1] === seconds[k]) outCounts[n - 1] += counts[k];
    else {
      outSeconds[n] = seconds[k];
      outCounts[n++] = counts[k];
    }
  }
  return { seconds: outSeconds.subarray(0, n), counts: outCounts.subarray(0, n) };
}
