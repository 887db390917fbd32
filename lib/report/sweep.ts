import type { MrcPoint } from '../cache/mrc.js';
import { lineChart } from './svg.js';

/** Tables and charts of simulation points: pure functions from points to text. */

export interface PointLike {
  model: string;
  args: Record<string, unknown> | undefined;
  stats?: unknown;
  error?: { code: string; message: string };
}

const SIZE_ARGS = ['capacity_gb', 'cache_size'];

/** The hit ratio of a point, whatever the model calls its counters (undefined if it has none). */
export function hitRatio(p: PointLike): number | undefined {
  const s = (p.stats ?? {}) as Record<string, unknown>;
  const num = (k: string): number => (typeof s[k] === 'number' ? (s[k] as number) : NaN);
  if (typeof s['hit ratio'] === 'number') return s['hit ratio'];
  if (!Number.isNaN(num('memory hits')))
    return (num('memory hits') + num('file system hits')) / Math.max(1, num('memory hits') + num('memory misses'));
  if (!Number.isNaN(num('hits')) && !Number.isNaN(num('misses')))
    return num('hits') / Math.max(1, num('hits') + num('misses'));
  return undefined;
}

/** One CSV row per point: model, every argument, every numeric stat (union of keys), error. */
export function pointsCsv(points: readonly PointLike[]): string {
  const argKeys = [...new Set(points.flatMap((p) => Object.keys(p.args ?? {})))];
  const statKeys = [
    ...new Set(
      points.flatMap((p) =>
        Object.entries((p.stats ?? {}) as Record<string, unknown>)
          .filter(([, v]) => typeof v === 'number')
          .map(([k]) => k),
      ),
    ),
  ];
  const cell = (v: unknown): string => {
    if (v === undefined || v === null) return '';
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = [['model', ...argKeys, ...statKeys, 'error'].map(cell).join(',')];
  for (const p of points) {
    const stats = (p.stats ?? {}) as Record<string, unknown>;
    lines.push(
      [
        p.model,
        ...argKeys.map((k) => p.args?.[k]),
        ...statKeys.map((k) => stats[k]),
        p.error === undefined ? '' : `${p.error.code}: ${p.error.message}`,
      ]
        .map(cell)
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The miss-ratio curve as a CSV table: cache size in GB, miss ratio, byte miss ratio. */
export function mrcCsv(curve: readonly MrcPoint[]): string {
  return `cache_gb,miss_ratio,byte_miss_ratio\n${curve.map((p) => `${p.bytes / 1e9},${p.missRatio},${p.byteMissRatio}`).join('\n')}\n`;
}

/**
 * An SVG line chart of hit ratio against cache size (the `capacity_gb` or `cache_size` argument), one
 * line per model, drawn by the same chart code as the trace reports; with `curve`, the LRU miss-ratio
 * curve as hit ratio too (`curveName` its legend), the sweep's points drawn over it.
 */
export function hitRatioSvg(
  points: readonly PointLike[],
  curve?: readonly MrcPoint[],
  curveName = 'LRU curve',
): string {
  const series = new Map<string, [number, number][]>();
  for (const p of points) {
    // The size argument the model uses: two-level's cache_size, the layer caches' capacity_gb.
    const key = (p.model === 'two-level' ? ['cache_size'] : SIZE_ARGS).find((k) => typeof p.args?.[k] === 'number');
    const ratio = hitRatio(p);
    if (key === undefined || ratio === undefined) continue;
    const name = p.model.split('/').pop() as string;
    series.set(name, [...(series.get(name) ?? []), [p.args?.[key] as number, ratio]]);
  }
  const lines = [...series.entries()].map(([name, pts]) => ({ name, points: [...pts].sort((a, b) => a[0] - b[0]) }));
  if (curve !== undefined)
    lines.unshift({ name: curveName, points: curve.map((p): [number, number] => [p.bytes / 1e9, 1 - p.missRatio]) });
  return lineChart(lines, {
    title: 'Hit ratio against cache size',
    x: { label: 'cache size (capacity_gb / cache_size)', unit: 'count', zero: true },
    y: { label: 'hit ratio', unit: 'share' },
  });
}
