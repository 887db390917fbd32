/** Plain SVG line charts: no library, no script, nothing fetched at view time. */

export interface Series {
  name: string;
  points: readonly (readonly [number, number])[];
}

export interface ChartOptions {
  title?: string;
  xLabel: string;
  yLabel: string;
  logX?: boolean;
  logY?: boolean;
  /** Format of the y ticks (default: the number). */
  yFormat?: (y: number) => string;
  width?: number;
  height?: number;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function lineChart(series: readonly Series[], o: ChartOptions): string {
  const W = o.width ?? 720;
  const H = o.height ?? 400;
  const m = { left: 70, right: 170, top: o.title ? 36 : 20, bottom: 50 };
  const tx = (v: number): number => (o.logX ? Math.log10(Math.max(v, 1e-12)) : v);
  const ty = (v: number): number => (o.logY ? Math.log10(Math.max(v, 1e-12)) : v);
  const all = series.flatMap((s) => s.points);
  const xs = all.map(([x]) => tx(x));
  const ys = all.map(([, y]) => ty(y));
  const [x0, x1] = xs.length === 0 ? [0, 1] : [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = ys.length === 0 ? [0, 1] : [o.logY ? Math.min(...ys) : Math.min(0, ...ys), Math.max(...ys)];
  const sx = (v: number): number => m.left + ((tx(v) - x0) / (x1 - x0 || 1)) * (W - m.left - m.right);
  const sy = (v: number): number => H - m.bottom - ((ty(v) - y0) / (y1 - y0 || 1)) * (H - m.top - m.bottom);
  const fmt = (v: number): string => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-2 && v !== 0) ? v.toExponential(1) : `${+v.toPrecision(3)}`);
  const yFmt = o.yFormat ?? fmt;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`, `<rect width="${W}" height="${H}" fill="white"/>`];
  if (o.title) parts.push(`<text x="${W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(o.title)}</text>`);
  parts.push(`<line x1="${m.left}" y1="${H - m.bottom}" x2="${W - m.right}" y2="${H - m.bottom}" stroke="black"/>`, `<line x1="${m.left}" y1="${H - m.bottom}" x2="${m.left}" y2="${m.top}" stroke="black"/>`);
  for (let k = 0; k <= 4; k++) {
    const xv = o.logX ? 10 ** (x0 + ((x1 - x0) * k) / 4) : x0 + ((x1 - x0) * k) / 4;
    const yv = o.logY ? 10 ** (y0 + ((y1 - y0) * k) / 4) : y0 + ((y1 - y0) * k) / 4;
    parts.push(`<text x="${sx(xv).toFixed(1)}" y="${H - m.bottom + 18}" text-anchor="middle">${fmt(xv)}</text>`);
    parts.push(`<text x="${m.left - 8}" y="${(sy(yv) + 4).toFixed(1)}" text-anchor="end">${yFmt(yv)}</text>`);
  }
  parts.push(`<text x="${(m.left + W - m.right) / 2}" y="${H - 10}" text-anchor="middle">${escapeXml(o.xLabel)}</text>`);
  parts.push(`<text x="16" y="${(m.top + H - m.bottom) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(m.top + H - m.bottom) / 2})">${escapeXml(o.yLabel)}</text>`);
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${s.points.map(([a, b]) => `${sx(a).toFixed(1)},${sy(b).toFixed(1)}`).join(' ')}"/>`);
    if (s.points.length <= 40) for (const [a, b] of s.points) parts.push(`<circle cx="${sx(a).toFixed(1)}" cy="${sy(b).toFixed(1)}" r="3" fill="${color}"/>`);
    parts.push(`<rect x="${W - m.right + 15}" y="${m.top + i * 18}" width="12" height="12" fill="${color}"/>`, `<text x="${W - m.right + 32}" y="${m.top + i * 18 + 10}">${escapeXml(s.name)}</text>`);
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
