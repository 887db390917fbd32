import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { addStats, planPieces } from '../../../lib/trace/import-plan.js';
import type { TraceReadStats } from '../../../lib/trace/load.js';

const record = (i: number): string =>
  `{"timestamp":"2017-06-20T00:00:0${i % 10}.000Z","http.request.method":"GET","http.request.uri":"v2/u/r/blobs/b${i}","http.response.written":10}`;

t.test(
  'a plain file larger than a worker share is cut into chunks; small files are grouped; compressed files stay whole',
  async (t) => {
    const dir = t.testdir();
    const big = join(dir, 'big.json');
    writeFileSync(big, `[${Array.from({ length: 4000 }, (_, i) => record(i)).join(',\n')}]`);
    const small = [1, 2, 3].map((k) => join(dir, `small-${k}.json`));
    for (const f of small) writeFileSync(f, `[${record(1)}]`);
    const gz = join(dir, 'big.json.gz');
    writeFileSync(gz, gzipSync(`[${Array.from({ length: 4000 }, (_, i) => record(i)).join(',\n')}]`, { level: 0 }));
    const pieces = await planPieces([big, ...small, gz], 4, 1000);
    const chunks = pieces.filter((p) => p.chunk !== undefined);
    t.ok(chunks.length >= 2, `the big file in ${chunks.length} chunks`);
    t.equal(chunks[0].chunk?.from, 0);
    t.equal(chunks[chunks.length - 1].chunk?.stopAt, Infinity, 'the last chunk reads to the end');
    for (let k = 1; k < chunks.length; k++) t.equal(chunks[k].chunk?.from, chunks[k - 1].chunk?.stopAt, 'chunks meet');
    t.same(pieces.find((p) => p.group !== undefined)?.group, small, 'the small files one group, in order');
    t.same(
      pieces.filter((p) => p.file === gz).map((p) => p.chunk),
      [undefined],
      'gzip read whole',
    );
  },
);

t.test("a file's later chunks add to its entry in the counts; other files get their own", async (t) => {
  const stats: TraceReadStats = { files: [], records: 0, malformed: 0, malformedExamples: [], perFile: [] };
  const part = (file: string, records: number, malformed: number): TraceReadStats => ({
    files: [file],
    records,
    malformed,
    malformedExamples: malformed > 0 ? [`${file}:1: bad`] : [],
    perFile: [{ file, records, malformed }],
  });
  addStats(stats, part('a', 10, 1), false, 10);
  addStats(stats, part('a', 5, 2), true, 10);
  addStats(stats, part('b', 7, 1), false, 2);
  t.same(stats.perFile, [
    { file: 'a', records: 15, malformed: 3 },
    { file: 'b', records: 7, malformed: 1 },
  ]);
  t.equal(stats.malformed, 4);
  t.same(stats.malformedExamples, ['a:1: bad', 'a:1: bad'], 'examples up to the bound');
});
