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
  if (!Number.isNaN(num('memory hits'))) return (num('memory hits') + num('file system hits')) / Math.max(1, num('memory hits') + num('memory misses'));
  if (!Number.isNaN(num('hits')) && !Number.isNaN(num('misses'))) return num('hits') / Math.max(1, num('hits') + num('misses'));
  return undefined;
}

/** One CSV row per point: model, every argument, every numeric stat (union of keys), error. */
export function pointsCsv(points: readonly PointLike[]): string {
  const argKeys = [...new Set(points.flatMap((p) => Object.keys(p.args ?? {})))];
  const statKeys = [...new Set(points.flatMap((p) => Object.entries((p.stats ?? {}) as Record<string, unknown>).filter(([, v]) => typeof v === 'number').map(([k]) => k)))];
  const cell = (v: unknown): string => {
    if (v === undefined || v === null) return '';
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = [['model', ...argKeys, ...statKeys, 'error'].map(cell).join(',')];
  for (const p of points) {
    const stats = (p.stats ?? {}) as Record<string, unknown>;
    lines.push([p.model, ...argKeys.map((k) => p.args?.[k]), ...statKeys.map((k) => stats[k]), p.error === undefined ? '' : `${p.error.code}: ${p.error.message}`].map(cell).join(','));
  }
  return `${lines.join('\n')}\n`;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

/**
 * An SVG line chart of hit ratio against cache size (the `capacity_gb` or `cache_size` argument), one
 * line per model. Self-contained: no script, no external resource.
 */
export function hitRatioSvg(points: readonly PointLike[]): string {
  const series = new Map<string, [number, number][]>();
  for (const p of points) {
    // The size argument the model uses: two-level's cache_size, the layer caches' capacity_gb.
    const key = (p.model === 'two-level' ? ['cache_size'] : SIZE_ARGS).find((k) => typeof p.args?.[k] === 'number');
    const ratio = hitRatio(p);
    if (key === undefined || ratio === undefined) continue;
    const name = p.model.split('/').pop() as string;
    series.set(name, [...(series.get(name) ?? []), [p.args?.[key] as number, ratio]]);
  }
  const W = 720;
  const H = 420;
  const m = { left: 60, right: 160, top: 20, bottom: 50 };
  const all = [...series.values()].flat();
  const maxX = Math.max(1e-9, ...all.map(([x]) => x));
  const x = (v: number): number => m.left + (v / maxX) * (W - m.left - m.right);
  const y = (v: number): number => H - m.bottom - v * (H - m.top - m.bottom);
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`, `<rect width="${W}" height="${H}" fill="white"/>`];
  parts.push(`<line x1="${m.left}" y1="${y(0)}" x2="${W - m.right}" y2="${y(0)}" stroke="black"/>`, `<line x1="${m.left}" y1="${y(0)}" x2="${m.left}" y2="${y(1)}" stroke="black"/>`);
  for (let k = 0; k <= 4; k++) {
    parts.push(`<text x="${m.left - 8}" y="${y(k / 4) + 4}" text-anchor="end">${(k * 25).toString()}%</text>`);
    parts.push(`<text x="${x((maxX * k) / 4)}" y="${H - m.bottom + 18}" text-anchor="middle">${+((maxX * k) / 4).toPrecision(3)}</text>`);
  }
  parts.push(`<text x="${(m.left + W - m.right) / 2}" y="${H - 10}" text-anchor="middle">cache size (capacity_gb / cache_size)</text>`);
  parts.push(`<text x="16" y="${(m.top + H - m.bottom) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(m.top + H - m.bottom) / 2})">hit ratio</text>`);
  [...series.entries()].forEach(([name, pts], i) => {
    const color = COLORS[i % COLORS.length];
    const sorted = [...pts].sort((a, b) => a[0] - b[0]);
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${sorted.map(([a, b]) => `${x(a).toFixed(1)},${y(b).toFixed(1)}`).join(' ')}"/>`);
    for (const [a, b] of sorted) parts.push(`<circle cx="${x(a).toFixed(1)}" cy="${y(b).toFixed(1)}" r="3" fill="${color}"/>`);
    parts.push(`<rect x="${W - m.right + 15}" y="${m.top + i * 18}" width="12" height="12" fill="${color}"/>`, `<text x="${W - m.right + 32}" y="${m.top + i * 18 + 10}">${escapeXml(name)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
