import t from 'tap';
import { timeOrder } from '../../../lib/trace/sort.js';
import { Random } from '../../../lib/trace/random.js';
import { Method } from '../../../lib/trace/request.js';
import { TraceTableBuilder } from '../../../lib/trace/builder.js';
import { COLUMN_NAMES, type TraceTable } from '../../../lib/trace/table.js';

t.test('timeOrder is a stable sort by time', async (t) => {
  const rng = new Random(7);
  for (const n of [2, 10, 1000, 50000]) {
    const base = 1.5e12;
    // Coarse times force many ties; a wide range forces several radix passes.
    const time = Float64Array.from({ length: n }, () => base + rng.int(50) * 86400e3 + rng.int(4) * 0.25);
    const expected = Array.from({ length: n }, (_, i) => i).sort((a, b) => time[a] - time[b] || a - b);
    const order = timeOrder(time);
    t.same(order === null ? expected.map((_, i) => i) : Array.from(order), expected, `${n} requests`);
  }
  t.equal(timeOrder(Float64Array.of(1, 2, 2, 3)), null, 'sorted input needs no permutation');
});

/** A table of `n` random layer GETs and PUTs over a few repositories, layers and clients, in no time order. */
function randomTable(seed: number, n: number): TraceTable {
  const rng = new Random(seed);
  const builder = new TraceTableBuilder(4);
  for (let i = 0; i < n; i++)
    builder.addStrings(
      1e12 + rng.int(1e6),
      [Method.GET, Method.PUT, Method.HEAD][rng.int(3)],
      `v2/u/r${rng.int(50)}/blobs/b${rng.int(900)}`,
      `c${rng.int(40)}`,
      rng.int(1e6),
      rng.next(),
      200 + rng.int(300),
    );
  return builder.build();
}

t.test('reorder reorders every column exactly as gather does', async (t) => {
  const table = randomTable(3, 5000);
  const order = timeOrder(table.columns.time) as Uint32Array;
  const gathered = table.gather(order);
  table.reorder(order);
  for (const name of COLUMN_NAMES) t.same(Array.from(table.columns[name]), Array.from(gathered.columns[name]), name);
});

t.test('gather takes rows[0..count) in that order, every column of each row', async (t) => {
  const table = randomTable(5, 300);
  const rng = new Random(6);
  const rows = Uint32Array.from({ length: 120 }, () => rng.int(300));
  const gathered = table.gather(rows, 100);
  t.equal(gathered.length, 100);
  for (const name of COLUMN_NAMES)
    t.same(
      Array.from(gathered.columns[name]),
      Array.from(rows.subarray(0, 100), (row) => table.columns[name][row]),
      name,
    );
  t.same(
    { ...gathered.request(7), offsetMs: 0 },
    { ...table.request(rows[7]), offsetMs: 0 },
    'a row reads back as the row it came from (its strings from the shared pools)',
  );
});
