import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { basename, dirname, resolve } from 'node:path';
import { DrtpError } from '../errors.js';
import { decodeHistogram } from '../stats/histogram.js';
import type { RunSummary } from '../stats/summary.js';
import { binCounts, formatBytes, formatCount, formatMs, formatShare } from './axis.js';
import { escapeXml, lineChart, type Series } from './svg.js';

export interface RunInput {
  name: string;
  summary: RunSummary;
  /** Per second since the start: requests done ok and failed, and bytes moved (from the NDJSON results, if present). */
  perSecond?: PerSecond;
}

export interface PerSecond {
  ok: number[];
  failed: number[];
  bytes: number[];
}

/** The results file of a summary (`results.ndjson.summary.json` -> `results.ndjson`), if it exists. */
export function resultsOf(summaryFile: string): string | undefined {
  const results = summaryFile.replace(/\.summary\.json$/, '');
  return results !== summaryFile && existsSync(results) ? results : undefined;
}

/** Streams NDJSON result rows into per-second counts of ok and failed requests and bytes (bounded memory). */
export async function perSecond(resultsFile: string): Promise<PerSecond> {
  const out: PerSecond = { ok: [], failed: [], bytes: [] };
  const bump = (list: number[], second: number, n: number): void => {
    while (list.length <= second) list.push(0);
    list[second] += n;
  };
  const lines = createInterface({ input: createReadStream(resultsFile), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.length === 0) continue;
    const row = resultRow(line, resultsFile, lineNumber);
    if (row.outcome === 'skipped' || row.sentMs === undefined) continue;
    const second = Math.floor((row.sentMs + (row.serviceMs ?? 0)) / 1000);
    bump(row.outcome === 'ok' ? out.ok : out.failed, second, 1);
    if (row.outcome === 'ok') bump(out.bytes, second, row.size ?? 0);
  }
  return out;
}

/** One results row, or E_SUMMARY_FORMAT naming the file and line: not JSON, or numbers that are not. */
function resultRow(
  line: string,
  file: string,
  lineNumber: number,
): { outcome?: string; sentMs?: number; serviceMs?: number; size?: number } {
  let row: unknown;
  try {
    row = JSON.parse(line);
  } catch (err) {
    throw new DrtpError('E_SUMMARY_FORMAT', `not a results row: not JSON (${(err as Error).message})`, {
      file,
      line: lineNumber,
    });
  }
  const r = row as { outcome?: unknown; sentMs?: unknown; serviceMs?: unknown; size?: unknown } | null;
  const number = (v: unknown): boolean =>
    v === undefined || v === null || (typeof v === 'number' && Number.isFinite(v));
  if (
    typeof r !== 'object' ||
    r === null ||
    Array.isArray(r) ||
    !number(r.sentMs) ||
    !number(r.serviceMs) ||
    !number(r.size) ||
    (r.sentMs as number) < 0
  ) {
    throw new DrtpError(
      'E_SUMMARY_FORMAT',
      `not a results row (an object whose sentMs, serviceMs and size are numbers)`,
      { file, line: lineNumber },
    );
  }
  return {
    outcome: typeof r.outcome === 'string' ? r.outcome : undefined,
    sentMs: (r.sentMs ?? undefined) as number | undefined,
    serviceMs: (r.serviceMs ?? undefined) as number | undefined,
    size: (r.size ?? undefined) as number | undefined,
  };
}

/** Points every 1/50 of a nine from 0% to 99.999%, capped at the histogram's max. */
const PERCENTILES = Array.from({ length: 251 }, (_, k) => 1 - 10 ** (-k / 50));

/** Latency by percentile (x a share, y ms) of one encoded histogram, as HdrHistogram plots it. */
function percentilePoints(encoded: string | undefined): [number, number][] {
  if (encoded === undefined) return [];
  const h = decodeHistogram(encoded);
  if (h.totalCount === 0) return [];
  // Beyond 1 - 1/count the percentiles are the max: stop a step past it.
  const last = Math.min(
    PERCENTILES.length - 1,
    PERCENTILES.findIndex((p) => p >= 1 - 1 / h.totalCount) + 1 || PERCENTILES.length - 1,
  );
  return PERCENTILES.slice(0, last + 1).map((p) => [p, h.getValueAtPercentile(p * 100) / 1000] as [number, number]);
}

/** Latency CDF points of one histogram (every percent), ms. */
function latencyCdf(encoded: string | undefined): [number, number][] {
  if (encoded === undefined) return [];
  const h = decodeHistogram(encoded);
  if (h.totalCount === 0) return [];
  const out: [number, number][] = [];
  for (let q = 1; q <= 100; q++) out.push([h.getValueAtPercentile(q) / 1000, q / 100]);
  return out;
}

/** One chart's series per run and class: a line per class for one run, a line per run for one class. */
function latencyCharts(runs: readonly RunInput[]): [string, string][] {
  const classes = [...new Set(runs.flatMap((r) => Object.keys(r.summary.classes)))];
  const groups: { title: string; series: { name: string; histogram: string | undefined }[] }[] =
    runs.length === 1
      ? [
          {
            title: 'all classes',
            series: [
              ...classes.map((c) => ({ name: c, histogram: runs[0].summary.histograms[`${c}.latency`] })),
              { name: 'all', histogram: runs[0].summary.histograms['all.latency'] },
            ],
          },
        ]
      : [...classes, 'all'].map((c) => ({
          title: c,
          series: runs.map((r) => ({ name: r.name, histogram: r.summary.histograms[`${c}.latency`] })),
        }));
  return groups.flatMap(({ title, series }) => {
    const byPercentile: Series[] = series.map((s) => ({ name: s.name, points: percentilePoints(s.histogram) }));
    const cdf: Series[] = series.map((s) => ({ name: s.name, points: latencyCdf(s.histogram) }));
    return [
      [
        `Latency by percentile: ${title}`,
        lineChart(byPercentile, {
          title: `Latency by percentile (${title})`,
          x: { label: 'percentile', unit: 'percentile' },
          y: { label: 'latency from due time', unit: 'ms', zero: true },
        }),
      ],
      [
        `Latency CDF: ${title}`,
        lineChart(cdf, {
          title: `Latency CDF (${title})`,
          x: { label: 'latency from due time', unit: 'ms', log: true },
          y: { label: 'share of requests', unit: 'share' },
        }),
      ],
    ] as [string, string][];
  });
}

/** Throughput and failures over time, binned to fit the run's span. */
function timeCharts(runs: readonly RunInput[]): [string, string][] {
  const over = runs.filter((r): r is RunInput & { perSecond: PerSecond } => r.perSecond !== undefined);
  if (over.length === 0) return [];
  const indexed = (list: number[]): [number, number][] => list.map((v, i) => [i, v]);
  const requests: Series[] = [];
  const bytes: Series[] = [];
  let per = 'second';
  for (const r of over) {
    const ok = binCounts(indexed(r.perSecond.ok));
    const failed = binCounts(
      indexed(r.perSecond.failed.length === 0 ? r.perSecond.ok.map(() => 0) : r.perSecond.failed),
    );
    per = ok.per;
    const prefix = over.length > 1 ? `${r.name} ` : '';
    requests.push({ name: `${prefix}ok`, points: ok.points }, { name: `${prefix}failed`, points: failed.points });
    bytes.push({ name: `${prefix}bytes`, points: binCounts(indexed(r.perSecond.bytes)).points });
  }
  return [
    [
      'Throughput and failures',
      lineChart(requests, {
        title: `Requests done per ${per}`,
        x: { label: 'time since the start', unit: 'elapsed' },
        y: { label: `requests per ${per}`, unit: 'count' },
      }),
    ],
    [
      'Data moved',
      lineChart(bytes, {
        title: `Bytes moved per ${per}`,
        x: { label: 'time since the start', unit: 'elapsed' },
        y: { label: `bytes per ${per}`, unit: 'bytes', zero: true },
      }),
    ],
  ];
}

/**
 * One self-contained HTML page for one or more runs: their summaries and thresholds, latency by
 * percentile and as a CDF (per class for one run, the runs side by side per class for several),
 * throughput, failures and bytes over time.
 */
export function runReportHtml(runs: readonly RunInput[], title: string): string {
  const charts = [...latencyCharts(runs), ...timeCharts(runs)];
  const rows = runs
    .map((r) => {
      const s = r.summary;
      const cells = [
        escapeXml(r.name),
        formatCount(s.requests.ok),
        formatCount(s.requests.failed),
        formatCount(s.requests.skipped),
        formatMs(s.latencyMs.p50),
        formatMs(s.latencyMs.p99),
        formatMs(s.latencyMs.max),
        `${formatCount(Math.round(s.throughput.requestsPerSecond))}/s`,
        `${formatBytes(s.throughput.bytesPerSecond)}/s`,
        s.lateness === undefined || s.lateness.count === 0 ? '–' : formatShare(s.onTimeRatio),
        s.lateness === undefined || s.lateness.count === 0 ? '–' : formatMs(s.lateness.p99),
        s.queueing === undefined || s.lateness.count === 0 ? '–' : formatCount(s.queueing.count),
        s.queueing === undefined || s.queueing.count === 0 ? '–' : formatMs(s.queueing.p99),
      ];
      return `<tr>${cells.map((c, k) => (k === 0 ? `<th>${c}</th>` : `<td>${c}</td>`)).join('')}</tr>`;
    })
    .join('\n');
  const thresholds = runs.flatMap((r) =>
    (r.summary.thresholds ?? []).map(
      (v) =>
        `<tr class="${v.pass ? 'pass' : 'fail'}"><th>${escapeXml(r.name)}</th><td>${escapeXml(v.threshold)}</td><td>${escapeXml(v.aborted === undefined ? v.shown : `${v.aborted.shown} over ${v.aborted.windowSeconds} s`)}</td><td>${v.pass ? 'pass' : 'FAIL'}</td></tr>`,
    ),
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title>
<style>body{font-family:sans-serif;margin:2em;max-width:62em;color:#222}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right;white-space:nowrap}th:first-child{text-align:left}section{margin:2em 0}tr.fail td{color:#b00;font-weight:bold}tr.pass td:last-child{color:#070}</style>
</head><body>
<h1>${escapeXml(title)}</h1>
<section><h2>Runs</h2><table><tr><th>run</th><th>ok</th><th>failed</th><th>skipped</th><th>p50</th><th>p99</th><th>max</th><th>requests</th><th>data</th><th>on time</th><th>generator lag p99</th><th>queued</th><th>queued p99</th></tr>
${rows}
</table></section>
${thresholds.length === 0 ? '' : `<section><h2>Thresholds</h2><table><tr><th>run</th><th>threshold</th><th>observed</th><th>verdict</th></tr>\n${thresholds.join('\n')}\n</table></section>`}
${charts.map(([name, svg]) => `<section><h2>${escapeXml(name)}</h2>\n${svg}</section>`).join('\n')}
</body></html>
`;
}

export function runName(file: string): string {
  return basename(file)
    .replace(/\.summary\.json$/, '')
    .replace(/\.ndjson$/, '');
}

/** Each run's name; runs whose files share a name (`a/results...`, `b/results...`) are named by their directory too. */
export function runNames(files: readonly string[]): string[] {
  const names = files.map(runName);
  return names.map((name, k) =>
    names.indexOf(name) !== names.lastIndexOf(name) ? `${basename(dirname(resolve(files[k])))}/${name}` : name,
  );
}
