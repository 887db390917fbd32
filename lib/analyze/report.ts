import { binCounts } from '../report/axis.js';
import { cdfPoints, escapeXml, lineChart } from '../report/svg.js';
import type { Analysis, ChartData } from './summary.js';

const n = (x: number): string => x.toLocaleString('en-US', { maximumFractionDigits: 0 });
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const mb = (x: number): string => `${(x / 1e6).toFixed(2)} MB`;

/** The readable report `drtp analyze` prints. */
export function formatAnalysis(a: Analysis & { dataCenters?: Record<string, Analysis> }): string {
  const lines: string[] = [];
  lines.push(
    `records ${n(a.records)} in ${a.files} file(s): ${n(a.replayable)} replayable, ${n(a.malformed)} malformed`,
  );
  lines.push(`span ${a.time.first ?? '-'} .. ${a.time.last ?? '-'} (${(a.time.spanSeconds / 3600).toFixed(2)} h)`);
  lines.push('', 'requests by method and kind:');
  for (const [k, v] of Object.entries(a.byMethodKind).sort((x, y) => y[1] - x[1]))
    lines.push(`  ${k.padEnd(16)} ${n(v).padStart(12)}  ${pct(v / Math.max(1, a.records))}`);
  lines.push(
    '',
    `status: ${Object.entries(a.byStatus)
      .sort((x, y) => y[1] - x[1])
      .map(([k, v]) => `${k} ${n(v)}`)
      .join(', ')}`,
  );
  for (const [name, s] of Object.entries(a.sizes)) {
    lines.push(
      `${name.padEnd(9)} ${n(s.count)} distinct: p50 ${mb(s.p50)}, p90 ${mb(s.p90)}, p99 ${mb(s.p99)}, max ${mb(s.max)}; ${pct(s.under1MB)} under 1 MB, ${pct(s.under10MB)} under 10 MB`,
    );
  }
  lines.push('', 'popularity (GETs):');
  for (const [name, p] of Object.entries(a.popularity))
    lines.push(
      `  ${name.padEnd(8)} ${n(p.distinct).padStart(10)} distinct; top 1% ${pct(p.top1pct)}, top 10% ${pct(p.top10pct)} of ${n(p.requests)} requests; Zipf ${p.zipf.toFixed(2)}`,
    );
  const t = a.time;
  lines.push(
    '',
    `inter-arrival: p50 ${t.interArrivalMs.p50} ms, p99 ${t.interArrivalMs.p99} ms; busiest second ${t.busiestSecond?.at ?? '-'} (${t.busiestSecond?.requests ?? 0}), minute ${t.busiestMinute?.at ?? '-'} (${t.busiestMinute?.requests ?? 0})`,
  );
  const p = a.pulls;
  lines.push(
    `pulls: ${n(p.manifestGets)} manifest GETs, followed by a layer GET within ${Object.entries(p.followedWithin)
      .map(([w, s]) => `${w}: ${pct(s)}`)
      .join(', ')}; delay p50 ${p.delayMs.p50} ms`,
  );
  lines.push(
    `pushes: ${n(p.pushedLayers)} layers pushed, ${pct(p.pulledAfterPush)} pulled afterwards (first pull p50 ${(p.pushToPullMs.p50 / 1000).toFixed(1)} s), by ${p.pullersPerPulledLayer.toFixed(1)} clients each`,
  );
  lines.push('', 'traced response time (ms):');
  for (const [cls, r] of Object.entries(a.responseTime))
    lines.push(`  ${cls.padEnd(16)} p50 ${r.p50}  p90 ${r.p90}  p99 ${r.p99}  max ${r.max}`);
  if (a.dataCenters !== undefined && Object.keys(a.dataCenters).length > 1) {
    lines.push('', 'per data center:');
    for (const [dc, d] of Object.entries(a.dataCenters))
      lines.push(
        `  ${dc.padEnd(9)} ${n(d.records)} records, ${n(d.replayable)} replayable, layers p50 ${mb(d.sizes.layers.p50)}, top 10% layers ${pct(d.popularity.layers.top10pct)}`,
      );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The characterisation as one self-contained HTML page: the numbers, and SVG charts (size CDFs,
 * popularity by rank, requests over time, pull delay CDF). No script, nothing fetched at view time.
 */
export function analysisHtml(a: Analysis, charts: ChartData, title: string): string {
  const arrivals = binCounts(charts.perSecond);
  const sections: [string, string][] = [
    [
      'Sizes',
      lineChart(
        [
          { name: 'layers', points: cdfPoints(charts.layerSizes) },
          { name: 'manifests', points: cdfPoints(charts.manifestSizes) },
        ],
        {
          title: 'Size CDF of distinct layers and manifests',
          x: { label: 'size', unit: 'bytes', log: true },
          y: { label: 'share of objects', unit: 'share' },
        },
      ),
    ],
    [
      'Popularity',
      lineChart([{ name: 'layers', points: rankPoints(charts.layerRequests) }], {
        title: 'GETs per layer by popularity rank',
        x: { label: 'rank', unit: 'count', log: true },
        y: { label: 'GETs', unit: 'count', log: true },
      }),
    ],
    [
      'Time',
      lineChart([{ name: 'requests', points: arrivals.points }], {
        title: `Requests per ${arrivals.per}`,
        x: { label: `time since ${a.time.first ?? 'the first request'}`, unit: 'elapsed' },
        y: { label: `requests per ${arrivals.per}`, unit: 'count' },
      }),
    ],
    [
      'Pulls',
      lineChart([{ name: 'manifest → first layer GET', points: charts.pullDelayCdf.filter(([ms]) => ms > 0) }], {
        title: 'Pull delay CDF (within 60 s)',
        x: { label: 'delay', unit: 'ms', log: true },
        y: { label: 'share of pulls', unit: 'share' },
      }),
    ],
  ];
  const body = sections.map(([name, svg]) => `<section><h2>${escapeXml(name)}</h2>\n${svg}</section>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title>
<style>body{font-family:sans-serif;margin:2em;max-width:60em}pre{background:#f6f6f6;padding:1em;overflow:auto;white-space:pre-wrap}section{margin:2em 0}</style>
</head><body>
<h1>${escapeXml(title)}</h1>
<pre>${escapeXml(formatAnalysis(a))}</pre>
${body}
</body></html>
`;
}

/** Rank plot points, thinned to ~300 on a log scale. */
function rankPoints(descending: Float64Array): [number, number][] {
  const out: [number, number][] = [];
  let next = 1;
  for (let r = 0; r < descending.length; r++) {
    if (r + 1 >= next || r === descending.length - 1) {
      if (descending[r] > 0) out.push([r + 1, descending[r]]);
      next = Math.ceil((r + 1) * 1.03);
    }
  }
  return out;
}
