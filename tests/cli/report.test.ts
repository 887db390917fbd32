import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

t.test('drtp report draws two runs side by side in one self-contained page', async (t) => {
  const dir = t.testdir();
  for (const name of ['a', 'b']) {
    const demo = await runCli(['demo', '--requests', '80', '--seconds', '1', '--seed', name === 'a' ? '3' : '4', '--keep', join(dir, name)]);
    t.equal(demo.code, 0, demo.stderr);
  }
  const html = join(dir, 'compare.html');
  const report = await runCli(['report', join(dir, 'a/results.ndjson.summary.json'), join(dir, 'b/results.ndjson.summary.json'), '--out', html]);
  t.equal(report.code, 0, report.stderr);
  const text = readFileSync(html, 'utf8');
  const summary = JSON.parse(readFileSync(join(dir, 'a/results.ndjson.summary.json'), 'utf8')) as { classes: Record<string, unknown> };
  for (const cls of Object.keys(summary.classes)) t.match(text, `<h2>Latency: ${cls}</h2>`, `a latency CDF for ${cls}`);
  t.match(text, '<h2>Throughput and errors</h2>');
  t.equal((text.match(/<tr><td>/g) ?? []).length, 2, 'one table row per run');
  t.ok((text.match(/<polyline/g) ?? []).length >= 2 * Object.keys(summary.classes).length, 'a curve per run in each chart');
  t.notMatch(text, /<script|<link|src=|href=/, 'nothing fetched at view time');
  const bad = await runCli(['report', join(dir, 'a/results.ndjson'), '--out', join(dir, 'x.html')]);
  t.equal(bad.code, 4, 'an NDJSON file is not a summary: E_IO');
});
