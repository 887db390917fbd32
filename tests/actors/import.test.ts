import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTraceParallel } from '../../actors/import-master.js';
import { loadTrace } from '../../lib/trace/load.js';
import { mergeOrder } from '../../lib/trace/sort.js';
import { writeSynthTrace } from '../../lib/trace/synth-files.js';
import type { TraceTable } from '../../lib/trace/table.js';

const rows = (table: TraceTable): string[] => Array.from({ length: table.length }, (_, i) => {
  const c = table.columns;
  return `${c.time[i]} ${c.method[i]} ${table.uri(i)} ${table.pools.clients.get(c.client[i])} ${c.size[i]} ${c.duration[i]} ${c.status[i]}`;
});

t.test('files read on two workers make the table one reader makes, rows and strings alike', async (t) => {
  const dir = t.testdir();
  // Two traces over the same hours: their files interleave in time, so the merge has work to do.
  const a = await writeSynthTrace(join(dir, 'a'), { requests: 6000, seed: 31, files: 3, dataCenter: 'dal09' });
  const b = await writeSynthTrace(join(dir, 'b'), { requests: 4000, seed: 32, files: 2, dataCenter: 'fra02', gzip: true });
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
  writeFileSync(bad, '[{"timestamp": "never", "http.request.method": "GET", "http.request.uri": "v2/a/b/blobs/c", "http.response.written": 1}]');
  await t.rejects(loadTraceParallel([...good, bad], { workers: 2, strict: true }), { code: 'E_TRACE_PARSE', location: { file: bad } });
  const lenient = await loadTraceParallel([...good, bad], { workers: 2 });
  t.equal(lenient.stats.malformed, 1, 'skipped and counted otherwise');
});

t.test('mergeOrder merges sorted runs stably, as a stable sort would', async (t) => {
  let seed = 7;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let round = 0; round < 20; round++) {
    const runs = 1 + Math.floor(random() * 6);
    const values: number[] = [];
    const starts: number[] = [];
    for (let r = 0; r < runs; r++) {
      starts.push(values.length);
      const run = Array.from({ length: Math.floor(random() * 50) }, () => Math.floor(random() * 20)).sort((x, y) => x - y);
      values.push(...run);
    }
    const time = Float64Array.from(values);
    const expected = Array.from(time.keys()).sort((x, y) => time[x] - time[y] || x - y);
    const order = mergeOrder(time, starts);
    t.same(order === null ? Array.from(time.keys()) : Array.from(order), expected, `round ${round}: ${runs} runs of ${values.length} values`);
  }
});
