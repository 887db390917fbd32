import { format } from 'd3-format';
import { scaleLinear, scaleLog } from 'd3-scale';

/**
 * What an axis measures, which decides its ticks and their labels: durations in ms (shown as µs, ms, s or
 * min), bytes (kB, MB, GB), a count, a share (%), seconds since a start (s, min, h, d), a rate per second,
 * or a percentile (on the 1/(1-p) scale HdrHistogram plots use).
 */
export type Unit = 'ms' | 'bytes' | 'count' | 'share' | 'elapsed' | 'rate' | 'byteRate' | 'percentile';

export interface AxisSpec {
  label: string;
  unit: Unit;
  log?: boolean;
  /** Start a linear axis at 0 (default for counts, rates and shares). */
  zero?: boolean;
}

/** An axis fitted to its data: where a value lands in [0, 1] of the axis length, and its ticks. */
export interface Axis {
  position: (v: number) => number;
  ticks: { value: number; label: string }[];
}

const si = format('.3~s');
const plain = format(',.4~r');

/** A duration in ms, in the unit that reads best: 250 µs, 12.5 ms, 1.5 s, 2 min. */
export function formatMs(ms: number): string {
  const abs = Math.abs(ms);
  if (abs === 0) return '0';
  if (abs < 1) return `${plain(ms * 1000)} µs`;
  if (abs < 1000) return `${plain(ms)} ms`;
  if (abs < 120_000) return `${plain(ms / 1000)} s`;
  return `${plain(ms / 60_000)} min`;
}

/** Bytes with SI prefixes, as registries and the paper count them: 11 kB, 490 MB. */
export function formatBytes(bytes: number): string {
  if (bytes === 0) return '0 B';
  if (Math.abs(bytes) < 1000) return `${plain(bytes)} B`;
  return `${si(bytes).replace(/([a-zA-Z])$/, ' $1')}B`;
}

export function formatCount(n: number): string {
  return Math.abs(n) >= 10_000 ? si(n).replace('G', 'B') : plain(n);
}

export function formatShare(x: number): string {
  return `${format('.4~r')(x * 100)}%`;
}

/** The display unit of an elapsed-time axis, by its span: seconds for minutes, minutes for hours, ... */
function elapsedUnit(spanSeconds: number): { seconds: number; name: string } {
  if (spanSeconds <= 20 * 60) return { seconds: 1, name: 's' };
  if (spanSeconds <= 20 * 3600) return { seconds: 60, name: 'min' };
  if (spanSeconds <= 20 * 86_400) return { seconds: 3600, name: 'h' };
  return { seconds: 86_400, name: 'd' };
}

/** The percentile scale: p -> log10(1/(1-p)), so 90%, 99%, 99.9% are evenly spaced. */
const nines = (p: number): number => -Math.log10(Math.max(1e-9, 1 - p));
const MAX_PERCENTILE = 0.99999;

export function label(unit: Unit, value: number): string {
  switch (unit) {
    case 'ms':
      return formatMs(value);
    case 'bytes':
      return formatBytes(value);
    case 'byteRate':
      return `${formatBytes(value)}/s`;
    case 'share':
    case 'percentile':
      return formatShare(value);
    case 'elapsed':
      return formatMs(value * 1000);
    case 'rate':
    case 'count':
      return formatCount(value);
  }
}

/** Fits an axis to the values it will show; ticks are round in the axis's unit (1-2-5 on log axes). */
export function fitAxis(spec: AxisSpec, values: readonly number[]): Axis {
  const finite = values.filter((v) => Number.isFinite(v) && (!spec.log || v > 0));
  let lo = finite.length === 0 ? 0 : Math.min(...finite);
  let hi = finite.length === 0 ? 1 : Math.max(...finite);
  if (spec.unit === 'percentile') {
    // At least to 99%: a short run's last percentiles are its max, drawn flat to the right.
    const top = Math.max(nines(Math.min(hi, MAX_PERCENTILE)), 2);
    const ticks = [0, 0.9, 0.99, 0.999, 0.9999, 0.99999]
      .filter((p) => nines(p) <= top + 1e-9)
      .map((p) => ({ value: p, label: formatShare(p) }));
    return { position: (p) => nines(Math.min(p, MAX_PERCENTILE)) / top, ticks };
  }
  if (spec.log) {
    if (lo === hi) [lo, hi] = [lo / 2, hi * 2];
    const scale = scaleLog().domain([lo, hi]).nice();
    const decades = Math.log10(scale.domain()[1] / scale.domain()[0]);
    const wanted = decades >= 5 ? [1] : decades >= 3 ? [1, 3] : [1, 2, 5];
    const ticks = scale.ticks().filter((v) => wanted.includes(Math.round(v / 10 ** Math.floor(Math.log10(v) + 1e-9))));
    return {
      position: (v) => scale(Math.max(v, scale.domain()[0])),
      ticks: ticks.map((v) => ({ value: v, label: label(spec.unit, v) })),
    };
  }
  if (spec.zero ?? ['count', 'rate', 'byteRate', 'share', 'elapsed'].includes(spec.unit)) lo = Math.min(0, lo);
  if (lo === hi) hi = lo + 1;
  if (spec.unit === 'elapsed') {
    // Ticks at round minutes, hours or days, not at 3,600 s steps of an hour-long trace.
    const unit = elapsedUnit(hi - lo);
    const inUnit = scaleLinear()
      .domain([lo / unit.seconds, hi / unit.seconds])
      .nice(8);
    const [a, b] = inUnit.domain().map((v) => v * unit.seconds);
    const scale = scaleLinear().domain([a, b]).range([0, 1]);
    const ticks = inUnit.ticks(8).map((t) => ({ value: t * unit.seconds, label: `${plain(t)} ${unit.name}` }));
    return { position: (v) => scale(v), ticks };
  }
  const scale = scaleLinear().domain([lo, hi]).nice(6);
  const tickFormat = spec.unit === 'share' ? (v: number) => formatShare(v) : (v: number) => label(spec.unit, v);
  return { position: (v) => scale(v), ticks: scale.ticks(6).map((v) => ({ value: v, label: tickFormat(v) })) };
}

/** Bins per-second counts to fit a span: seconds for minutes, minutes for hours, hours for days. */
export function binCounts(perSecond: readonly (readonly [number, number])[]): {
  points: [number, number][];
  per: string;
} {
  if (perSecond.length === 0) return { points: [], per: 'second' };
  const first = Math.min(...perSecond.map(([s]) => s));
  const last = Math.max(...perSecond.map(([s]) => s));
  const span = last - first + 1;
  const bin = span <= 20 * 60 ? 1 : span <= 20 * 3600 ? 60 : 3600;
  const per = bin === 1 ? 'second' : bin === 60 ? 'minute' : 'hour';
  const counts = new Float64Array(Math.floor((last - first) / bin) + 1);
  for (const [s, n] of perSecond) counts[Math.floor((s - first) / bin)] += n;
  return { points: Array.from(counts, (n, k) => [first + k * bin, n] as [number, number]), per };
}
