import type { Percentiles } from '../stats/histogram.js';
import type { RunSummary } from '../stats/summary.js';

const n = (x: number): string => x.toLocaleString('en-US', { maximumFractionDigits: 0 });
const f = (x: number, d = 1): string =>
  x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

/** The summary as the readable table printed at the end of a run. */
export function formatSummary(s: RunSummary): string {
  const lines: string[] = [];
  lines.push(
    `requests  ${n(s.requests.total)} total: ${n(s.requests.ok)} ok, ${n(s.requests.failed)} failed, ${n(s.requests.skipped)} skipped`,
  );
  lines.push(
    `duration  ${f(s.durationSeconds, 2)} s   throughput ${f(s.throughput.requestsPerSecond)} req/s, ${f(s.throughput.bytesPerSecond / 1e6, 2)} MB/s   data ${f(s.bytes / 1e6, 2)} MB`,
  );
  // Summaries of earlier versions have no lateness, nor queueing.
  const timed = s.lateness !== undefined && s.lateness.count > 0;
  const kept =
    s.late === 0
      ? "the generator kept the trace's times"
      : s.onTimeRatio >= 0.99
        ? "the generator kept the trace's times but for a few"
        : 'the generator fell behind the trace: give it more cores, or replay slower';
  lines.push(`on time   ${f(s.onTimeRatio * 100)}% (${n(s.late)} late)${timed ? `: ${kept}` : ''}`);
  if (timed) {
    const l = s.lateness;
    lines.push(
      `lateness  the generator's own lag: p50 ${f(l.p50, 3)} ms, p90 ${f(l.p90, 3)} ms, p99 ${f(l.p99, 3)} ms, p99.9 ${f(l.p999, 3)} ms, max ${f(l.max, 3)} ms`,
    );
  }
  const q = s.queueing;
  if (q !== undefined && q.count > 0) {
    lines.push(
      `queued    ${n(q.count)} requests behind their client's own in flight (p50 ${f(q.p50, 1)} ms, p99 ${f(q.p99, 1)} ms, max ${f(q.max, 1)} ms): the registry was slower than the trace`,
    );
  }
  const header = `${'class'.padEnd(14)}${'requests'.padStart(10)}${'failed'.padStart(8)}${'p50 ms'.padStart(10)}${'p90 ms'.padStart(10)}${'p99 ms'.padStart(10)}${'p99.9 ms'.padStart(10)}${'max ms'.padStart(10)}${'ttfb p50'.padStart(10)}`;
  lines.push(
    '',
    `latency from due time${s.onTimeRatio > 0 || s.late > 0 ? '' : ' (= service time when not waiting)'}:`,
    header,
  );
  const row = (name: string, count: number, failed: number, p: Percentiles, ttfb?: Percentiles): string =>
    `${name.padEnd(14)}${n(count).padStart(10)}${n(failed).padStart(8)}${f(p.p50, 2).padStart(10)}${f(p.p90, 2).padStart(10)}${f(p.p99, 2).padStart(10)}${f(p.p999, 2).padStart(10)}${f(p.max, 2).padStart(10)}${ttfb === undefined ? '' : f(ttfb.p50, 2).padStart(10)}`;
  for (const [name, c] of Object.entries(s.classes)) lines.push(row(name, c.requests, c.failed, c.latencyMs, c.ttfbMs));
  lines.push(row('all', s.requests.ok + s.requests.failed, s.requests.failed, s.latencyMs));
  const errors = Object.entries(s.errors);
  if (errors.length > 0)
    lines.push('', `errors    ${errors.map(([code, count]) => `${code} ×${n(count)}`).join(', ')}`);
  const skipped = Object.entries(s.skipped).filter(([, c]) => c > 0);
  if (skipped.length > 0)
    lines.push(`skipped   ${skipped.map(([reason, count]) => `${n(count)} ${reason}`).join('; ')}`);
  const thresholds = s.thresholds ?? [];
  if (thresholds.length > 0) {
    lines.push('', `thresholds  ${thresholds.filter((v) => v.pass).length} of ${thresholds.length} passed:`);
    for (const v of thresholds) {
      const observed =
        v.aborted === undefined
          ? v.shown
          : `${v.aborted.shown} over the last ${v.aborted.windowSeconds} s: run stopped`;
      lines.push(`  ${v.pass ? 'pass' : 'FAIL'}  ${v.threshold}   (${observed})`);
    }
  }
  return `${lines.join('\n')}\n`;
}
