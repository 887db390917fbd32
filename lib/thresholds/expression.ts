import { OP_NAMES, SIZE_CLASS_NAMES } from '../contract/ops.js';
import { registryOrigin, withoutUserinfo } from '../registry/endpoint.js';

/**
 * Pass/fail thresholds over a run's summary, as k6 has them for CI: `<scope>: <metric> <op> <value>`,
 * e.g. `GET blob: p99 < 50ms`, `all: failed_rate < 0.1%`, `registry http://a:5000: p999 < 1s`,
 * `PUT blob: throughput > 20MB/s`.
 */
export type Comparison = '<' | '<=' | '>' | '>=';

export type Scope =
  | { kind: 'all' }
  | { kind: 'class'; name: string }
  | { kind: 'registry'; name: string }
  | { kind: 'size'; name: string };

/**
 * Which durations a duration metric reads: latency (from due), service (from sent), first byte, the
 * generator's lag (lateness), the time held behind the client's own requests (queueing).
 */
export type DurationKind = 'latency' | 'service' | 'ttfb' | 'lateness' | 'queueing';

export type Metric =
  | { kind: 'duration'; of: DurationKind; stat: number | 'mean' | 'max' | 'min' }
  | { kind: 'failed_rate' }
  /** Share of requests sent that were held behind their client's own requests in flight. */
  | { kind: 'queued_rate' }
  | { kind: 'on_time' }
  | { kind: 'failed' }
  | { kind: 'requests' }
  | { kind: 'throughput'; per: 'bytes' | 'requests' };

export interface Threshold {
  /** The expression as written. */
  source: string;
  scope: Scope;
  metric: Metric;
  /** The metric as written (`p99`, `failed_rate`, ...). */
  metricName: string;
  comparison: Comparison;
  /** In the metric's base unit: ms, a fraction, a count, bytes/s or requests/s. */
  value: number;
}

/** Why an expression is not a threshold, and what would be. */
export interface ThresholdProblem {
  message: string;
  hint: string;
}

const SHAPE_HINT = 'write `<scope>: <metric> <op> <value>`, e.g. `GET blob: p99 < 50ms` or `all: failed_rate < 0.1%`';
const SCOPE_HINT = `a scope is all, a request class (${OP_NAMES.join(', ')}), \`registry NAME\` or \`size CLASS\` (${SIZE_CLASS_NAMES.join(', ')})`;
const METRIC_HINT =
  'metrics: p50, p90, p95, p99, p999, p(99.99), mean, min, max (latency; prefix service_, ttfb_, lateness_ or queueing_ for those durations), failed_rate, queued_rate, failed, requests, on_time, throughput';

// Micro as the micro sign (U+00B5) and as Greek mu (U+03BC): keyboards give either.
const DURATION_UNITS: Record<string, number> = {
  us: 0.001,
  '\u00b5s': 0.001,
  '\u03bcs': 0.001,
  ms: 1,
  s: 1000,
  m: 60_000,
};
const RATE_UNITS: Record<string, { per: 'bytes' | 'requests'; factor: number }> = {
  'req/s': { per: 'requests', factor: 1 },
  rps: { per: 'requests', factor: 1 },
  'B/s': { per: 'bytes', factor: 1 },
  'kB/s': { per: 'bytes', factor: 1e3 },
  'KB/s': { per: 'bytes', factor: 1e3 },
  'MB/s': { per: 'bytes', factor: 1e6 },
  'GB/s': { per: 'bytes', factor: 1e9 },
  'KiB/s': { per: 'bytes', factor: 1024 },
  'MiB/s': { per: 'bytes', factor: 1024 ** 2 },
  'GiB/s': { per: 'bytes', factor: 1024 ** 3 },
};

const METRIC_NAME = /^(?:[a-z_]+(?:\(\s*[\d.]+\s*\))?|[a-z_]*p[\d.]+)$/;
/** No expression is longer: a longer one is a mistake (and parsing stays cheap whatever is given). */
export const MAX_THRESHOLD_LENGTH = 500;

/**
 * Parses one threshold expression: the scope ends at the first `:` that a metric name and a comparison
 * follow (a scope may hold colons, `registry http://a:5000`, and `>`, `size >=100MB`). No regular
 * expression spans the whole text (a backtracking one was quadratic in runs of whitespace), and the
 * length limit bounds the rest.
 */
export function parseThreshold(source: string): Threshold | ThresholdProblem {
  const text = source.trim();
  if (text.length > MAX_THRESHOLD_LENGTH)
    return {
      message: `a threshold of ${text.length.toLocaleString('en-US')} characters ("${withoutUserinfo(text.slice(0, 40))}...") is longer than the ${MAX_THRESHOLD_LENGTH} allowed`,
      hint: SHAPE_HINT,
    };
  const notOne = { message: `"${withoutUserinfo(text)}" is not a threshold`, hint: SHAPE_HINT };
  let colon = text.indexOf(':');
  let metricName = '';
  let at = -1;
  for (; colon >= 0; colon = text.indexOf(':', colon + 1)) {
    at = comparisonAfter(text, colon);
    metricName = at < 0 ? '' : text.slice(colon + 1, at).trim();
    if (METRIC_NAME.test(metricName)) break;
  }
  if (colon < 0) return notOne;
  const comparison: Comparison = text[at + 1] === '=' ? (`${text[at]}=` as Comparison) : (text[at] as Comparison);
  const valueText = text.slice(at + comparison.length).trim();
  if (valueText === '') return notOne;
  const scopeText = text.slice(0, colon);
  const scope = parseScope(scopeText.trim());
  if ('message' in scope) return scope;
  const metric = parseMetric(metricName);
  if ('message' in metric) return metric;
  const scopeProblem = scopeAllows(scope, metric, metricName);
  if (scopeProblem !== undefined) return scopeProblem;
  const value = parseValue(metric, metricName, valueText);
  if ('message' in value) return value;
  // A registry named with credentials is kept by its origin only: the source goes into summaries and reports.
  const shown =
    scope.kind === 'registry' && withoutUserinfo(scopeText) !== scopeText
      ? `registry ${scope.name}:${text.slice(colon + 1)}`
      : text;
  return { source: shown, scope, metric: value.metric, metricName, comparison, value: value.value };
}

/** Where the first `<` or `>` after `from` is, or -1. */
function comparisonAfter(text: string, from: number): number {
  for (let i = from + 1; i < text.length; i++) if (text[i] === '<' || text[i] === '>') return i;
  return -1;
}

export function isThresholdProblem(t: Threshold | ThresholdProblem): t is ThresholdProblem {
  return 'message' in t;
}

function parseScope(text: string): Scope | ThresholdProblem {
  if (text === 'all') return { kind: 'all' };
  const op = OP_NAMES.find((name) => name.toLowerCase() === text.toLowerCase().replace(/\s+/g, ' '));
  if (op !== undefined) return { kind: 'class', name: op };
  const registry = /^registry\s+(\S+)$/.exec(text);
  if (registry !== null) {
    // Named as the summary names registries: by origin, so `127.0.0.1:5000` is `http://127.0.0.1:5000`.
    const address = registryOrigin(registry[1]);
    if ('problem' in address)
      return { message: address.problem, hint: 'name a registry of the run as in the configuration' };
    return { kind: 'registry', name: address.origin };
  }
  const size = /^size\s+(\S+)$/.exec(text);
  if (size !== null) {
    const name = SIZE_CLASS_NAMES.find((n) => n.toLowerCase() === size[1].toLowerCase());
    if (name !== undefined) return { kind: 'size', name };
    return { message: `"${size[1]}" is not a size class`, hint: `size classes: ${SIZE_CLASS_NAMES.join(', ')}` };
  }
  return { message: `"${text}" is not a scope`, hint: SCOPE_HINT };
}

function parseMetric(name: string): Metric | ThresholdProblem {
  switch (name) {
    case 'failed_rate':
    case 'queued_rate':
    case 'on_time':
    case 'failed':
    case 'requests':
      return { kind: name };
    case 'throughput':
      return { kind: 'throughput', per: 'bytes' };
  }
  const duration = /^(?:(service|ttfb|lateness|queueing)_)?(mean|min|max|p\(\s*([\d.]+)\s*\)|p(\d+(?:\.\d+)?))$/.exec(
    name,
  );
  if (duration === null) return { message: `"${name}" is not a metric`, hint: METRIC_HINT };
  const of = (duration[1] ?? 'latency') as DurationKind;
  const stat = duration[2];
  if (stat === 'mean' || stat === 'min' || stat === 'max') return { kind: 'duration', of, stat };
  const percentile = duration[3] !== undefined ? Number(duration[3]) : shortPercentile(duration[4]);
  if (!(percentile > 0 && percentile <= 100))
    return {
      message: `"${name}" is not a percentile between 0 and 100`,
      hint: 'p50, p99, p999 (99.9), p9999 (99.99) or p(99.5)',
    };
  return { kind: 'duration', of, stat: percentile };
}

/** p50 = 50, p99 = 99, p999 = 99.9, p9999 = 99.99, p99.5 = 99.5: digits past the second are decimals. */
function shortPercentile(digits: string): number {
  if (digits.includes('.') || digits.length <= 2) return Number(digits);
  if (digits === '100') return 100;
  return Number(`${digits.slice(0, 2)}.${digits.slice(2)}`);
}

function scopeAllows(scope: Scope, metric: Metric, name: string): ThresholdProblem | undefined {
  if (metric.kind === 'on_time' && scope.kind !== 'all')
    return { message: `on_time is measured for the whole run only`, hint: 'write `all: on_time > 99%`' };
  if (
    (scope.kind === 'registry' || scope.kind === 'size') &&
    !(metric.kind === 'duration' && metric.of === 'latency')
  ) {
    return {
      message: `${scope.kind} scopes have latency only, not ${name}`,
      hint: 'p50, p99, p999, p(99.5), mean, min or max',
    };
  }
  return undefined;
}

/** The value in the metric's base unit; a throughput's unit says whether it counts bytes or requests. */
function parseValue(metric: Metric, name: string, text: string): { value: number; metric: Metric } | ThresholdProblem {
  const match = /^(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*(\S*)$/i.exec(text);
  if (match === null) return { message: `"${text}" is not a number`, hint: valueHint(metric) };
  const number = Number(match[1]);
  const unit = match[2];
  // No metric can be negative or infinite: a threshold against such a value is always met or never.
  if (!Number.isFinite(number)) return { message: `"${match[1]}" is too large for ${name}`, hint: valueHint(metric) };
  if (number < 0) return { message: `${name} cannot be negative: "${text}"`, hint: valueHint(metric) };
  switch (metric.kind) {
    case 'duration': {
      const factor = DURATION_UNITS[unit === '' ? 'ms' : unit];
      if (factor === undefined)
        return { message: `"${unit}" is not a unit of time for ${name}`, hint: valueHint(metric) };
      return { value: number * factor, metric };
    }
    case 'failed_rate':
    case 'queued_rate':
    case 'on_time': {
      if (unit === '%' && number <= 100) return { value: number / 100, metric };
      if (unit === '' && number >= 0 && number <= 1) return { value: number, metric };
      return { message: `"${text}" is not a share for ${name}`, hint: valueHint(metric) };
    }
    case 'failed':
    case 'requests':
      if (unit === '' && Number.isInteger(number)) return { value: number, metric };
      return { message: `"${text}" is not a count of requests`, hint: valueHint(metric) };
    case 'throughput': {
      const rate = RATE_UNITS[unit];
      if (rate === undefined) return { message: `"${text}" has no throughput unit`, hint: valueHint(metric) };
      return { value: number * rate.factor, metric: { kind: 'throughput', per: rate.per } };
    }
  }
}

function valueHint(metric: Metric): string {
  switch (metric.kind) {
    case 'duration':
      return 'a duration: 50ms, 1.5s, 800us (a bare number is ms)';
    case 'failed_rate':
    case 'queued_rate':
    case 'on_time':
      return 'a percentage (0.1%) or a fraction (0.001)';
    case 'failed':
    case 'requests':
      return 'a whole number';
    case 'throughput':
      return `a rate with its unit: ${Object.keys(RATE_UNITS).join(', ')}`;
  }
}

/** How a metric's value is shown: durations in ms, shares in %, rates in their unit. */
export function formatMetricValue(t: Threshold, value: number): string {
  switch (t.metric.kind) {
    case 'duration':
      return `${round(value)} ms`;
    case 'failed_rate':
    case 'queued_rate':
    case 'on_time':
      return `${round(value * 100)}%`;
    case 'failed':
    case 'requests':
      return String(value);
    case 'throughput':
      return t.metric.per === 'requests' ? `${round(value)} req/s` : `${round(value / 1e6)} MB/s`;
  }
}

function round(x: number): string {
  return Number(x.toPrecision(4)).toString();
}
