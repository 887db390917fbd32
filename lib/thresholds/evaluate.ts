import { decodeHistogram, meanOf, newHistogram, type Histogram } from '../stats/histogram.js';
import type { RunSummary, ThresholdVerdict } from '../stats/summary.js';
import { DrtpError } from '../errors.js';
import {
  formatMetricValue,
  isThresholdProblem,
  parseThreshold,
  type Comparison,
  type DurationKind,
  type Metric,
  type Threshold,
} from './expression.js';

export function compare(observed: number, comparison: Comparison, limit: number): boolean {
  switch (comparison) {
    case '<':
      return observed < limit;
    case '<=':
      return observed <= limit;
    case '>':
      return observed > limit;
    case '>=':
      return observed >= limit;
  }
}

/**
 * Each threshold's verdict on a run's summary, computed from its exact (merged) histograms and counts.
 * A threshold whose metric the run did not measure (no PUTs for `PUT blob: p99`) fails: a CI gate that
 * passes on no data would hide a broken run.
 */
export function evaluateThresholds(thresholds: readonly Threshold[], summary: RunSummary): ThresholdVerdict[] {
  const histograms = new Map<string, Histogram | undefined>();
  return thresholds.map((t) => {
    const observed = observe(t, summary, histograms);
    if (typeof observed === 'string')
      return { threshold: t.source, observed: null, shown: `no data: ${observed}`, pass: false };
    return {
      threshold: t.source,
      observed,
      shown: formatMetricValue(t, observed),
      pass: compare(observed, t.comparison, t.value),
    };
  });
}

/** The threshold's metric on the summary, or why the run has none. */
function observe(t: Threshold, s: RunSummary, cache: Map<string, Histogram | undefined>): number | string {
  const { scope, metric } = t;
  // What was measured, for "no data: no ... measured".
  const scopeName =
    scope.kind === 'all'
      ? 'requests'
      : scope.kind === 'class'
        ? `${scope.name} requests`
        : `requests of ${scope.kind} ${scope.name}`;
  if (metric.kind === 'duration') {
    const h = durationHistogram(t, s, metric.of, cache);
    if (typeof h === 'string') return h;
    if (h.totalCount === 0)
      return metric.of === 'lateness' && s.lateness?.count === 0
        ? 'send lateness is measured in open loop only (client_info.wait: true)'
        : `no ${scopeName} measured`;
    return durationStat(h, metric);
  }
  const counts =
    scope.kind === 'all'
      ? { requests: s.requests.ok + s.requests.failed, ok: s.requests.ok, failed: s.requests.failed, bytes: s.bytes }
      : s.classes[scope.kind === 'class' ? scope.name : ''];
  switch (metric.kind) {
    case 'requests':
      return counts?.requests ?? 0;
    case 'failed':
      return counts?.failed ?? 0;
    case 'failed_rate':
      return counts === undefined || counts.requests === 0 ? `no ${scopeName} sent` : counts.failed / counts.requests;
    case 'queued_rate': {
      if (s.lateness === undefined || s.lateness.count === 0)
        return 'queueing is measured in open loop only (client_info.wait: true)';
      const held =
        scope.kind === 'all' ? s.queueing?.count : s.classes[scope.kind === 'class' ? scope.name : '']?.queueing?.count;
      return counts === undefined || counts.requests === 0 ? `no ${scopeName} sent` : (held ?? 0) / counts.requests;
    }
    case 'on_time':
      return s.lateness === undefined || s.lateness.count === 0
        ? 'on_time is measured in open loop only (client_info.wait: true)'
        : s.onTimeRatio;
    case 'throughput':
      if (counts === undefined || s.durationSeconds === 0) return `no ${scopeName} sent`;
      return (metric.per === 'bytes' ? counts.bytes : counts.ok) / s.durationSeconds;
  }
}

/** A duration metric's value on a histogram of µs, in ms. */
export function durationStat(h: Histogram, metric: Extract<Metric, { kind: 'duration' }>): number {
  const us =
    metric.stat === 'mean'
      ? meanOf(h)
      : metric.stat === 'max'
        ? h.maxValue
        : metric.stat === 'min'
          ? h.minNonZeroValue
          : h.getValueAtPercentile(metric.stat);
  return us / 1000;
}

/** The histogram a duration metric reads (classes' summed for `all` where the run keeps no total). */
function durationHistogram(
  t: Threshold,
  s: RunSummary,
  of: DurationKind,
  cache: Map<string, Histogram | undefined>,
): Histogram | string {
  const { scope } = t;
  const decoded = (name: string): Histogram | undefined => {
    if (!cache.has(name))
      cache.set(name, s.histograms[name] === undefined ? undefined : decodeHistogram(s.histograms[name]));
    return cache.get(name);
  };
  const empty = newHistogram();
  switch (scope.kind) {
    case 'all': {
      const total = decoded(`all.${of}`);
      if (total !== undefined) return total;
      const sum = newHistogram();
      for (const name of Object.keys(s.classes)) {
        const h = decoded(`${name}.${of}`);
        if (h !== undefined) sum.add(h);
      }
      return sum;
    }
    case 'class':
      return decoded(`${scope.name}.${of}`) ?? empty;
    case 'size':
      return decoded(`size:${scope.name}.latency`) ?? empty;
    case 'registry': {
      const names = Object.keys(s.registries);
      const index = names.indexOf(scope.name);
      if (index < 0) return `the run has no registry ${scope.name} (its registries: ${names.join(', ')})`;
      return decoded(`registry:${index}.latency`) ?? empty;
    }
  }
}

/** Registries a threshold names that the run does not have: checked before a run, so a typo costs no run. */
export function unknownRegistries(
  thresholds: readonly Threshold[],
  registryNames: readonly string[],
): { threshold: Threshold; name: string }[] {
  return thresholds.flatMap((t) =>
    t.scope.kind === 'registry' && !registryNames.includes(t.scope.name) ? [{ threshold: t, name: t.scope.name }] : [],
  );
}

/**
 * The thresholds the summaries were judged by (each once, in order): `drtp merge` judges the merged
 * summary by them again. Expressions that no longer parse are an E_MERGE naming the file.
 */
export function thresholdsOfSummaries(inputs: readonly { file: string; summary: RunSummary }[]): Threshold[] {
  const seen = new Map<string, Threshold>();
  for (const { file, summary } of inputs) {
    for (const { threshold } of summary.thresholds ?? []) {
      if (seen.has(threshold)) continue;
      const parsed = parseThreshold(threshold);
      if (isThresholdProblem(parsed))
        throw new DrtpError('E_MERGE', `${file}: threshold "${threshold}": ${parsed.message}`, { file });
      seen.set(threshold, parsed);
    }
  }
  return [...seen.values()];
}
