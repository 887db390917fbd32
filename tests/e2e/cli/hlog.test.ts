import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as hdr from 'hdr-histogram-js';
import { decodeHistogram, recorderOf } from '../../../lib/stats/histogram.js';
import { runCli } from '../../helpers/cli.js';
import { warmed } from '../../helpers/warmed.js';

/** Every interval of an HdrHistogram log, read with the library's reader. */
function intervalsOf(path: string): hdr.Histogram[] {
  const reader = new hdr.HistogramLogReader(readFileSync(path, 'utf8'));
  const intervals: hdr.Histogram[] = [];
  for (let h = reader.nextIntervalHistogram(); h !== null; h = reader.nextIntervalHistogram()) intervals.push(h);
  return intervals;
}

t.test(
  '--hlog: per class, interval logs whose intervals add up to the summary histogram exactly, and .hgrm tables',
  async (t) => {
    const { dir, config, output } = await warmed(t, '', '  wait: true\n  speed: 2\n  threads: 2');
    const logs = join(dir, 'hlog');
    const run = await runCli(['run', config, '--hlog', logs]);
    t.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(readFileSync(`${output}.summary.json`, 'utf8')) as {
      requests: { ok: number; failed: number };
      classes: Record<string, { ok: number; requests: number; lateness: { count: number } }>;
      histograms: Record<string, string>;
      lateness: { count: number; p50: number; max: number };
    };
    t.equal(
      summary.lateness.count,
      summary.requests.ok + summary.requests.failed,
      'an open-loop run records the send lateness of every request sent',
    );
    t.ok(summary.lateness.max >= summary.lateness.p50);
    for (const [name, c] of Object.entries(summary.classes))
      t.equal(c.lateness.count, c.requests, `and per class: ${name}`);
    const classes = Object.entries(summary.classes)
      .filter(([, c]) => c.ok > 0)
      .map(([name]) => name);
    const slug = (name: string): string => name.toLowerCase().replace(' ', '-');
    t.same(
      readdirSync(logs).sort(),
      ['all', ...classes.map(slug)].flatMap((n) => [`${n}.hgrm`, `${n}.hlog`]).sort(),
      'a log and a table per class with requests, and for all',
    );
    for (const [name, histogram] of [['all', 'all.latency'], ...classes.map((c) => [c, `${c}.latency`])]) {
      const intervals = intervalsOf(join(logs, `${slug(name)}.hlog`));
      const sum = hdr.build({ numberOfSignificantValueDigits: 3, autoResize: true, bitBucketSize: 32 });
      for (const h of intervals) sum.add(h);
      const expected = decodeHistogram(summary.histograms[histogram]);
      t.equal(sum.totalCount, expected.totalCount, `${name}: every request in some interval`);
      t.same(
        recorderOf(sum).sparse(),
        recorderOf(expected).sparse(),
        `${name}: the intervals add up to the summary's histogram, bucket by bucket`,
      );
      if (name === 'all') {
        // One interval per second in which requests finished (a loaded machine may compress the run: count them from the rows).
        const rows = readFileSync(output, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { outcome: string; sentMs: number; serviceMs: number });
        const seconds = new Set(
          rows.filter((r) => r.outcome === 'ok').map((r) => Math.floor((r.sentMs + r.serviceMs) / 1000)),
        );
        t.ok(
          Math.abs(intervals.length - seconds.size) <= 1,
          `an interval per second with requests done: ${intervals.length} intervals, ${seconds.size} such seconds in the rows (rounding may move one)`,
        );
      }
      const table = readFileSync(join(logs, `${slug(name)}.hgrm`), 'utf8');
      t.match(
        table,
        /^ +Value +Percentile +TotalCount 1\/\(1-Percentile\)/,
        `${name}.hgrm is a percentile distribution`,
      );
      t.match(table, new RegExp(`#\\[Max += +[\\d.]+, Total count += +${expected.totalCount}\\]`));
    }
  },
);
