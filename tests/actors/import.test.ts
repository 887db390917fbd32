import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTraceParallel } from '../../actors/import-master.js';
import { loadTrace } from '../../lib/trace/load.js';
import { mergeOrder } from '../../lib/trace/sort.js';
import { synthRecords } from '../../lib/trace/synth.js';
import { writeSynthTrace } from '../../lib/trace/synth-files.js';
import type { TraceTable } from '../../lib/trace/table.js';

const rows = (table: TraceTable): string[] =>
  Array.from({ length: table.length }, (_, i) => {
    const c = table.columns;
    return `${c.time[i]} ${c.method[i]} ${table.uri(i)} ${table.pools.clients.get(c.client[i])} ${c.size[i]} ${c.duration[i]} ${c.status[i]}`;
  });

t.test('files read on two workers make the table one reader makes, rows and strings alike', async (t) => {
  const dir = t.testdir();
  // Two traces over the same hours: their files interleave in time, so the merge has work to do.
  const a = await writeSynthTrace(join(dir, 'a'), { requests: 6000, seed: 31, files: 3, dataCenter: 'dal09' });
  const b = await writeSynthTrace(join(dir, 'b'), {
    requests: 4000,
    seed: 32,
    files: 2,
    dataCenter: 'fra02',
    gzip: true,
  });
  const files = [...a, ...b];
  const one = await loadTrace(files);
  let masterMs = -1;
  const two = await loadTraceParallel(files, { workers: 2, onMasterMs: (ms) => (masterMs = ms) });
  t.equal(two.table.length, one.table.length);
  t.same(rows(two.table), rows(one.table), 'every row, in the same order (ties by file, then record)');
  t.same(two.stats.perFile, one.stats.perFile);
  t.ok(masterMs >= 0, 'the master reports its share');
});

t.test('a malformed record in strict mode stops the import with the file and offset, from the worker', async (t) => {
  const dir = t.testdir();
  const good = await writeSynthTrace(join(dir, 'good'), { requests: 500, seed: 33, files: 2 });
  const bad = join(dir, 'bad.json');
  writeFileSync(
    bad,
    '[{"timestamp": "never", "http.request.method": "GET", "http.request.uri": "v2/a/b/blobs/c", "http.response.written": 1}]',
  );
  await t.rejects(loadTraceParallel([...good, bad], { workers: 2, strict: true }), {
    code: 'E_TRACE_PARSE',
    location: { file: bad },
  });
  const lenient = await loadTraceParallel([...good, bad], { workers: 2 });
  t.equal(lenient.stats.malformed, 1, 'skipped and counted otherwise');
});

t.test('mergeOrder merges sorted runs stably, as a stable sort would', async (t) => {
  let seed = 7;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let round = 0; round < 20; round++) {
    const runs = 1 + Math.floor(random() * 6);
    const values: number[] = [];
    const starts: number[] = [];
    for (let r = 0; r < runs; r++) {
      starts.push(values.length);
      const run = Array.from({ length: Math.floor(random() * 50) }, () => Math.floor(random() * 20)).sort(
        (x, y) => x - y,
      );
      values.push(...run);
    }
    const time = Float64Array.from(values);
    const expected = Array.from(time.keys()).sort((x, y) => time[x] - time[y] || x - y);
    const order = mergeOrder(time, starts);
    t.same(
      order === null ? Array.from(time.keys()) : Array.from(order),
      expected,
      `round ${round}: ${runs} runs of ${values.length} values`,
    );
  }
});

/** A synthetic trace's records, as objects. */
const records = (requests: number, seed: number): Record<string, unknown>[] =>
  Array.from(synthRecords({ requests, seed }), (text) => JSON.parse(text) as Record<string, unknown>);
/** As Python's json.dump writes a list of dicts: one line, `, ` and `: ` separators. */
const pythonDump = (recs: Record<string, unknown>[]): string =>
  `[${recs
    .map(
      (r) =>
        `{${Object.entries(r)
          .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`)
          .join(', ')}}`,
    )
    .join(', ')}]`;
const ibmDump = (recs: Record<string, unknown>[]): string =>
  `[\n${recs.map((r) => `  ${JSON.stringify(r)}`).join(',\n')}\n]\n`;
const ndjson = (recs: Record<string, unknown>[]): string => `${recs.map((r) => JSON.stringify(r)).join('\n')}\n`;

t.test('one large file read in chunks on two workers makes the table one reader makes, in each layout', async (t) => {
  const dir = t.testdir();
  const recs = records(4000, 41);
  for (const [layout, text] of [
    ['IBM', ibmDump(recs)],
    ['json.dump', pythonDump(recs)],
    ['NDJSON', ndjson(recs)],
  ] as const) {
    const file = join(dir, `${layout}.json`);
    writeFileSync(file, text);
    const one = await loadTrace([file]);
    let rescans = -1;
    const chunked = await loadTraceParallel([file], {
      workers: 2,
      minChunkBytes: 64 << 10,
      onRescans: (n) => (rescans = n),
    });
    t.equal(chunked.table.length, 4000, `${layout}: every record`);
    t.same(rows(chunked.table), rows(one.table), `${layout}: every row, in the same order`);
    t.same(chunked.stats.perFile, one.stats.perFile, `${layout}: one entry for the file`);
    t.equal(rescans, 0, `${layout}: every cut fell between records`);
  }
});

t.test('a cut inside a record is found and that chunk read again from where the record ended', async (t) => {
  const dir = t.testdir();
  // User agents full of `}, {`: a cut point's first look-alike record start is inside a string.
  const recs = records(3000, 42).map((r) => ({ ...r, 'http.request.useragent': 'x}, {"y": 1}, {'.repeat(40) }));
  const file = join(dir, 'tricky.json');
  writeFileSync(file, pythonDump(recs));
  const one = await loadTrace([file]);
  let rescans = -1;
  const chunked = await loadTraceParallel([file], {
    workers: 2,
    minChunkBytes: 64 << 10,
    onRescans: (n) => (rescans = n),
  });
  t.ok(rescans > 0, `chunks read again: ${rescans}`);
  t.same(rows(chunked.table), rows(one.table), "the table is still the one reader's");
  t.equal(chunked.stats.malformed, 0, 'no record reported malformed by a mis-cut chunk');
});

t.test(
  'malformed records in chunks: counted as one reader counts them; strict mode names the same offset',
  async (t) => {
    const dir = t.testdir();
    const lines = ibmDump(records(3000, 43)).split('\n');
    // Break a record in the second half of the file: a value with no key.
    const broken = Math.floor(lines.length * 0.7);
    lines[broken] = lines[broken].replace('"host":', '');
    const file = join(dir, 'broken.json');
    writeFileSync(file, lines.join('\n'));
    const one = await loadTrace([file]);
    const chunked = await loadTraceParallel([file], { workers: 2, minChunkBytes: 64 << 10 });
    t.equal(one.stats.malformed, 1);
    t.equal(chunked.stats.malformed, 1, 'counted once');
    t.same(chunked.stats.malformedExamples, one.stats.malformedExamples, 'at the same file offset');
    t.same(rows(chunked.table), rows(one.table));
    const sequential = await loadTrace([file], { strict: true }).catch((err: unknown) => err);
    await t.rejects(loadTraceParallel([file], { workers: 2, strict: true, minChunkBytes: 64 << 10 }), {
      code: 'E_TRACE_PARSE',
      location: (sequential as { location: unknown }).location,
    });
  },
);

t.test(
  'thousands of one-record files are read in groups on the workers, into the table one reader makes',
  async (t) => {
    const dir = t.testdir();
    const { writeFileSync } = await import('node:fs');
    const records = [...synthRecords({ requests: 1500, seed: 41 })];
    // Each file one record, named out of time order: grouping must keep file order, and ties in it.
    const files = records
      .map((record, k) => {
        const file = join(dir, `f${String((k * 7) % records.length).padStart(5, '0')}.json`);
        writeFileSync(file, `[${record}]`);
        return file;
      })
      .sort();
    const one = await loadTrace(files);
    const two = await loadTraceParallel([dir], { workers: 2 });
    t.equal(two.table.length, 1500);
    t.same(rows(two.table), rows(one.table), 'every row, in the same order');
    t.same(two.stats.perFile, one.stats.perFile, 'a per-file entry for each of the 1,500 files');
    const { analyzeTraces } = await import('../../actors/analyze-master.js');
    const { analysis, perFile } = await analyzeTraces([dir], { workers: 2 });
    t.equal(analysis.records, 1500);
    t.equal(perFile.length, 1500);
  },
);
