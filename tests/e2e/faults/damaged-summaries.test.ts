import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { runCli } from '../../helpers/cli.js';
import { FakeTrace, writeTrace } from '../../helpers/fake-trace.js';
import { withRegistry } from '../../helpers/registry.js';

t.test(
  'damaged summaries and results given to report and merge are E_SUMMARY_FORMAT naming the file and field (exit 2)',
  async (t) => {
    const dir = t.testdir();
    const registry = await withRegistry(t);
    const trace = new FakeTrace();
    for (let i = 0; i < 20; i++)
      trace.add('GET', `v2/u/r/blobs/b${i}`, { client: `c${i % 2}`, atMs: i, size: 1000 + i });
    writeTrace(dir, 'trace.json', trace.json());
    writeFileSync(
      join(dir, 'run.yaml'),
      `client_info: {threads: 1}\ntrace: {traces: [trace.json], output: out/results.ndjson}\nregistry: [${registry.host}]\nwarmup: {output: interm.json}\nthresholds: ['all: p99 < 30s']\n`,
    );
    t.equal((await runCli(['warmup', join(dir, 'run.yaml')])).code, 0);
    t.equal((await runCli(['run', join(dir, 'run.yaml')])).code, 0);
    const text = readFileSync(join(dir, 'out/results.ndjson.summary.json'), 'utf8');
    const summary = JSON.parse(text) as { histograms: Record<string, string>; thresholds: Record<string, unknown>[] };
    const results = readFileSync(join(dir, 'out/results.ndjson'), 'utf8');

    const damaged: { name: string; content: string; says: RegExp }[] = [
      { name: 'truncated', content: text.slice(0, text.length / 2), says: /is not a drtp run summary: not JSON/ },
      { name: 'garbage', content: '\u0000\u0001garbage', says: /is not a drtp run summary: not JSON/ },
      { name: 'array', content: '[1, 2]', says: /is not a drtp run summary: \(the document\) must be object/ },
      {
        name: 'classes-null',
        content: JSON.stringify({ ...summary, classes: null }),
        says: /is not a drtp run summary: \/classes must be object/,
      },
      {
        name: 'histogram',
        content: JSON.stringify({
          ...summary,
          histograms: { ...summary.histograms, 'all.latency': 'not base64 at all!' },
        }),
        says: /\/histograms\/all\.latency is not an encoded HDR histogram/,
      },
      {
        name: 'threshold',
        content: JSON.stringify({
          ...summary,
          thresholds: summary.thresholds.map(({ shown: _shown, ...rest }) => rest),
        }),
        says: /\/thresholds\/0 must have required property 'shown'/,
      },
    ];
    for (const { name, content, says } of damaged) {
      const file = join(dir, `${name}.summary.json`);
      writeFileSync(file, content);
      for (const args of [
        ['report', file, '--out', join(dir, 'r.html')],
        ['merge', file, '--out', join(dir, 'm.json')],
      ]) {
        const r = await runCli(args);
        t.equal(r.code, 2, `${args[0]} ${name}: exit 2`);
        t.match(
          r.stderr,
          new RegExp(`^drtp: E_SUMMARY_FORMAT: .*${name}\\.summary\\.json .*${says.source}`),
          `${args[0]} ${name}: ${r.stderr.trim()}`,
        );
      }
    }
    // The results beside a summary: report reads them for its per-second charts.
    const rows = results.trim().split('\n');
    for (const [name, content, line] of [
      ['cut', results.slice(0, results.length - 40), rows.length],
      ['garbage', `${rows[0]}\n{"sentMs": "soon"}\n`, 2],
    ] as const) {
      writeFileSync(join(dir, `${name}.ndjson`), content);
      writeFileSync(join(dir, `${name}.ndjson.summary.json`), text);
      const r = await runCli(['report', join(dir, `${name}.ndjson.summary.json`), '--out', join(dir, 'r.html')]);
      t.equal(r.code, 2, `report with ${name} results: exit 2`);
      t.match(
        r.stderr,
        new RegExp(`^drtp: E_SUMMARY_FORMAT: .*${name}\\.ndjson:${line}: not a results row`),
        r.stderr.trim(),
      );
    }
    const fine = await runCli(['report', join(dir, 'out/results.ndjson.summary.json'), '--out', join(dir, 'r.html')]);
    t.equal(fine.code, 0, `the undamaged pair reports: ${fine.stderr}`);

    // Characters XML 1.0 forbids, in a threshold and in a file name, keep JUnit XML well-formed.
    const out = join(dir, 'merged\u0001.json');
    const merged = await runCli([
      'merge',
      join(dir, 'out/results.ndjson.summary.json'),
      '--out',
      out,
      '--threshold',
      'all:\u000bp99 < 30s',
      '--junit',
      join(dir, 'junit.xml'),
    ]);
    t.equal(merged.code, 0, merged.stderr);
    const xml = readFileSync(join(dir, 'junit.xml'), 'utf8');
    t.equal(XMLValidator.validate(xml), true, 'the JUnit XML is well-formed');
    t.match(xml, /name="all:\\x0bp99 &lt; 30s"/, 'the vertical tab is shown as \\x0b');
    t.match(xml, /merged\\x01\.json/, "and the file name's \\x01");
  },
);
