import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { CHROMIUM, chartsOf, renderedDom, screenshot } from '../../helpers/chromium.js';

t.test('drtp report draws two runs side by side in one self-contained page', async (t) => {
  const dir = t.testdir();
  for (const name of ['a', 'b']) {
    const demo = await runCli([
      'demo',
      '--requests',
      '80',
      '--seconds',
      '1',
      '--seed',
      name === 'a' ? '3' : '4',
      '--keep',
      join(dir, name),
    ]);
    t.equal(demo.code, 0, demo.stderr);
  }
  const html = join(dir, 'compare.html');
  const report = await runCli([
    'report',
    join(dir, 'a/results.ndjson.summary.json'),
    join(dir, 'b/results.ndjson.summary.json'),
    '--out',
    html,
  ]);
  t.equal(report.code, 0, report.stderr);
  const text = readFileSync(html, 'utf8');
  const classesOf = (run: string) =>
    Object.keys(
      (
        JSON.parse(readFileSync(join(dir, `${run}/results.ndjson.summary.json`), 'utf8')) as {
          classes: Record<string, unknown>;
        }
      ).classes,
    );
  const summary = { classes: Object.fromEntries([...classesOf('a'), ...classesOf('b')].map((c) => [c, true])) };
  for (const cls of [...Object.keys(summary.classes), 'all']) {
    t.match(text, `<h2>Latency by percentile: ${cls}</h2>`, `latency by percentile for ${cls}, the runs side by side`);
    t.match(text, `<h2>Latency CDF: ${cls}</h2>`, `and its CDF`);
  }
  t.match(text, '<h2>Throughput and failures</h2>');
  t.match(text, '<h2>Data moved</h2>');
  t.equal(
    (text.match(/<tr><th>[ab]\/results<\/th>/g) ?? []).length,
    2,
    'one table row per run, named by its directory when the files share a name',
  );
  t.match(
    text,
    /<th>on time<\/th><th>generator lag p99<\/th><th>queued<\/th><th>queued p99<\/th><\/tr>/,
    "the generator's lag and the queueing, apart",
  );
  t.ok(
    (text.match(/<polyline/g) ?? []).length >= 2 * Object.keys(summary.classes).length,
    'a curve per run in each chart',
  );
  t.notMatch(text, /<script|<link|src=|href=/, 'nothing fetched at view time');
  t.ok(CHROMIUM !== undefined, 'chromium is installed (.ci/run installs it)');
  if (CHROMIUM !== undefined) {
    const charts = chartsOf(renderedDom(html, dir));
    t.equal(charts.length, 2 * (Object.keys(summary.classes).length + 1) + 2, 'Chromium lays out every chart');
    t.ok(
      charts.every((c) => c.points > 0),
      'each with its lines',
    );
    const percentile = charts.find((c) => c.title.startsWith('Latency by percentile'));
    t.same(
      percentile?.ticks.filter((l) => l.endsWith('%')).slice(0, 3),
      ['0%', '90%', '99%'],
      'percentiles on the 1/(1-p) scale',
    );
    // The unit follows the span: ms on an idle machine, s when a loaded one stretched the replay.
    t.ok(
      percentile?.ticks.some((l) => / (µs|ms|s|min)$/.test(l)),
      `latency ticks in time units: ${percentile?.ticks.join(', ')}`,
    );
    const time = charts.find((c) => c.title.startsWith('Requests done per second'));
    t.ok(
      time?.ticks.some((l) => / s$/.test(l)),
      `a run of seconds is binned by the second: ${time?.ticks.join(', ')}`,
    );
    t.ok(
      charts.every((c) => c.ticks.every((l) => !/\de[+-]\d/.test(l))),
      'no exponent notation',
    );
    t.ok(screenshot(html, join(dir, 'compare.png'), dir) > 2000, 'the screenshot is not blank');
  }
  const bad = await runCli(['report', join(dir, 'a/results.ndjson'), '--out', join(dir, 'x.html')]);
  t.equal(bad.code, 2, 'an NDJSON file is not a summary: E_SUMMARY_FORMAT');
});
