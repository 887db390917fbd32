import { fitAxis, label, type AxisSpec } from './axis.js';
import { xmlSafe } from './xml-safe.js';

/** SVG line charts, drawn here: no script, nothing fetched at view time; scales and ticks from axis.ts. */

export interface Series {
  name: string;
  points: readonly (readonly [number, number])[];
}

export interface ChartOptions {
  title?: string;
  x: AxisSpec;
  y: AxisSpec;
  width?: number;
  height?: number;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

export function escapeXml(s: string): string {
  return xmlSafe(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * A line chart with round ticks in the data's units (see axis.ts), a grid, a legend, and a tooltip on
 * every marked point (SVG `<title>`: shown on hover, no script).
 */
export function lineChart(series: readonly Series[], o: ChartOptions): string {
  const W = o.width ?? 760;
  const H = o.height ?? 400;
  const m = { left: 78, right: 190, top: o.title ? 36 : 20, bottom: 50 };
  const all = series.flatMap((s) => s.points);
  const x = fitAxis(
    o.x,
    all.map(([v]) => v),
  );
  const y = fitAxis(
    o.y,
    all.map(([, v]) => v),
  );
  const sx = (v: number): number => m.left + x.position(v) * (W - m.left - m.right);
  const sy = (v: number): number => H - m.bottom - y.position(v) * (H - m.top - m.bottom);
  const plotted = ([a, b]: readonly [number, number]): boolean => Number.isFinite(sx(a)) && Number.isFinite(sy(b));
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
  ];
  if (o.title)
    parts.push(
      `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(o.title)}</text>`,
    );
  for (const t of x.ticks) {
    const px = sx(t.value).toFixed(1);
    parts.push(
      `<line x1="${px}" y1="${m.top}" x2="${px}" y2="${H - m.bottom}" stroke="#e5e5e5"/>`,
      `<text x="${px}" y="${H - m.bottom + 18}" text-anchor="middle">${escapeXml(t.label)}</text>`,
    );
  }
  for (const t of y.ticks) {
    const py = sy(t.value).toFixed(1);
    parts.push(
      `<line x1="${m.left}" y1="${py}" x2="${W - m.right}" y2="${py}" stroke="#e5e5e5"/>`,
      `<text x="${m.left - 8}" y="${(Number(py) + 4).toFixed(1)}" text-anchor="end">${escapeXml(t.label)}</text>`,
    );
  }
  parts.push(
    `<line x1="${m.left}" y1="${H - m.bottom}" x2="${W - m.right}" y2="${H - m.bottom}" stroke="black"/>`,
    `<line x1="${m.left}" y1="${H - m.bottom}" x2="${m.left}" y2="${m.top}" stroke="black"/>`,
  );
  parts.push(
    `<text x="${(m.left + W - m.right) / 2}" y="${H - 10}" text-anchor="middle">${escapeXml(o.x.label)}</text>`,
  );
  parts.push(
    `<text x="16" y="${(m.top + H - m.bottom) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(m.top + H - m.bottom) / 2})">${escapeXml(o.y.label)}</text>`,
  );
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const points = s.points.filter(plotted);
    parts.push(
      `<polyline class="series" fill="none" stroke="${color}" stroke-width="2" points="${points.map(([a, b]) => `${sx(a).toFixed(1)},${sy(b).toFixed(1)}`).join(' ')}"><title>${escapeXml(s.name)}</title></polyline>`,
    );
    const marked = points.length <= 60 ? points : points.filter((_, k) => k % Math.ceil(points.length / 60) === 0);
    for (const [a, b] of marked) {
      parts.push(
        `<circle cx="${sx(a).toFixed(1)}" cy="${sy(b).toFixed(1)}" r="${points.length <= 60 ? 3 : 2}" fill="${color}"><title>${escapeXml(`${s.name}: ${label(o.x.unit, a)}, ${label(o.y.unit, b)}`)}</title></circle>`,
      );
    }
    parts.push(
      `<rect x="${W - m.right + 15}" y="${m.top + i * 18}" width="12" height="12" fill="${color}"/>`,
      `<text x="${W - m.right + 32}" y="${m.top + i * 18 + 10}">${escapeXml(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** The empirical CDF of `values` as chart points (at most ~200). */
export function cdfPoints(values: Float64Array | number[]): [number, number][] {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const step = Math.max(1, Math.floor(n / 200));
  const out: [number, number][] = [];
  for (let i = 0; i < n; i += step) out.push([sorted[i], (i + 1) / n]);
  if (n > 0) out.push([sorted[n - 1], 1]);
  return out;
}
