import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { basename } from 'node:path';
import { decodeHistogram } from '../stats/histogram.js';
import type { RunSummary } from '../stats/summary.js';
import { escapeXml, lineChart, type Series } from './svg.js';

export interface RunInput {
  name: string;
  summary: RunSummary;
  /** Per second since the start: requests done ok and failed (from the NDJSON results, if present). */
  perSecond?: { ok: number[]; failed: number[] };
}

/** The results file of a summary (`results.ndjson.summary.json` -> `results.ndjson`), if it exists. */
export function resultsOf(summaryFile: string): string | undefined {
  const results = summaryFile.replace(/\.summary\.json$/, '');
  return results !== summaryFile && existsSync(results) ? results : undefined;
}

/** Streams NDJSON result rows into per-second counts of ok and failed requests (bounded memory). */
export async function perSecond(resultsFile: string): Promise<{ ok: number[]; failed: number[] }> {
  const ok: number[] = [];
  const failed: number[] = [];
  const lines = createInterface({ input: createReadStream(resultsFile), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.length === 0) continue;
    const row = JSON.parse(line) as { outcome?: string; sentMs?: number; serviceMs?: number };
    if (row.outcome === 'skipped' || row.sentMs === undefined) continue;
    const second = Math.floor((row.sentMs + (row.serviceMs ?? 0)) / 1000);
    const list = row.outcome === 'ok' ? ok : failed;
    while (list.length <= second) list.push(0);
    list[second]++;
  }
  return { ok, failed };
}

/** Latency CDF points of one histogram (percentiles 1..100), ms. */
function latencyCdf(encoded: string | undefined): [number, number][] {
  if (encoded === undefined) return [];
  const h = decodeHistogram(encoded);
  if (h.totalCount === 0) return [];
  const out: [number, number][] = [];
  for (let q = 1; q <= 100; q++) out.push([h.getValueAtPercentile(q) / 1000, q / 100]);
  return out;
}

/**
 * One self-contained HTML page for one or more runs: their summaries, the latency CDF per request class
 * (the runs side by side), throughput and errors over time, and the on-time share.
 */
export function runReportHtml(runs: readonly RunInput[], title: string): string {
  const classes = [...new Set(runs.flatMap((r) => Object.keys(r.summary.classes)))];
  const charts: [string, string][] = [];
  for (const cls of classes) {
    const series: Series[] = runs.map((r) => ({ name: runs.length > 1 ? `${r.name}` : cls, points: latencyCdf(r.summary.histograms[`${cls}.latency`]) }));
    charts.push([`Latency: ${cls}`, lineChart(series, { title: `${cls}: latency CDF`, xLabel: 'ms', yLabel: 'share', logX: true, yFormat: (y) => `${Math.round(y * 100)}%` })]);
  }
  const over = runs.filter((r) => r.perSecond !== undefined);
  if (over.length > 0) {
    const series: Series[] = over.flatMap((r) => [
      { name: `${r.name} ok/s`, points: (r.perSecond?.ok ?? []).map((v, i) => [i, v] as [number, number]) },
      { name: `${r.name} failed/s`, points: (r.perSecond?.failed ?? []).map((v, i) => [i, v] as [number, number]) },
    ]);
    charts.push(['Throughput and errors', lineChart(series, { title: 'Requests done per second', xLabel: 'seconds since the start', yLabel: 'requests/s' })]);
  }
  const onTime = runs.map((r) => `<tr><td>${escapeXml(r.name)}</td><td>${(r.summary.onTimeRatio * 100).toFixed(1)}%</td><td>${r.summary.requests.ok}</td><td>${r.summary.requests.failed}</td><td>${r.summary.requests.skipped}</td><td>${r.summary.latencyMs.p50}</td><td>${r.summary.latencyMs.p99}</td><td>${r.summary.throughput.requestsPerSecond.toFixed(1)}</td></tr>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title>
<style>body{font-family:sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right}section{margin:2em 0}</style>
</head><body>
<h1>${escapeXml(title)}</h1>
<section><h2>Runs</h2><table><tr><th>run</th><th>on time</th><th>ok</th><th>failed</th><th>skipped</th><th>p50 ms</th><th>p99 ms</th><th>req/s</th></tr>
${onTime}
</table></section>
${charts.map(([name, svg]) => `<section><h2>${escapeXml(name)}</h2>\n${svg}</section>`).join('\n')}
</body></html>
`;
}

export function runName(file: string): string {
  return basename(file).replace(/\.summary\.json$/, '').replace(/\.ndjson$/, '');
}
