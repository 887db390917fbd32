import t from 'tap';
import { timeOrder } from '../../../lib/trace/sort.js';
import { Random } from '../../../lib/trace/random.js';

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

t.test('reorder reorders every column exactly as gather does', async (t) => {
  const { TraceTableBuilder } = await import('../../../lib/trace/builder.js');
  const { COLUMN_NAMES } = await import('../../../lib/trace/table.js');
  const rng = new Random(3);
  const builder = new TraceTableBuilder(4);
  for (let i = 0; i < 5000; i++)
    builder.addStrings(
      1e12 + rng.int(1e6),
      1,
      `v2/u/r${rng.int(50)}/blobs/b${rng.int(900)}`,
      `c${rng.int(40)}`,
      rng.int(1e6),
      rng.next(),
      200,
    );
  const table = builder.build();
  const order = timeOrder(table.columns.time) as Uint32Array;
  const gathered = table.gather(order);
  table.reorder(order);
  for (const name of COLUMN_NAMES) t.same(Array.from(table.columns[name]), Array.from(gathered.columns[name]), name);
});
