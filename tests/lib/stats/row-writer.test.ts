import t from 'tap';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RowWriter } from '../../../lib/stats/row-writer.js';
import { Random } from '../../../lib/trace/random.js';

t.test('numbers formatted by hand read back as the same numbers', async (t) => {
  const path = join(t.testdir(), 'rows.txt');
  const fd = openSync(path, 'w');
  const w = new RowWriter(fd, 64);
  const rng = new Random(9);
  const values: number[] = [0, 1, 9, 10, 99, 100, 123456789, -5, 0.0005, 0.0004, 1.9995, -2.5, 1795827241.733973, 4e9, 2147483647, 2147483648, 1e9 + 1, 4000000005, 0.0999, 0.01, 99.9995, 1e12 + 7];
  for (let i = 0; i < 2000; i++) values.push((rng.next() - 0.3) * 10 ** rng.int(12));
  for (const v of values) {
    w.reserve(64);
    w.int(v);
    w.ascii(' ');
    w.fixed(v, 3);
    w.ascii(' ');
    w.fixed(v / 1000, 6);
    w.ascii('\n');
  }
  w.flush();
  closeSync(fd);
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  const bad = lines.flatMap((line, i) => {
    const [a, b, c] = line.split(' ');
    const v = values[i];
    const ok = a === String(Math.round(v)) && b === (Math.round(v * 1000) / 1000).toFixed(3) && Math.abs(Number(c) - v / 1000) <= 5.01e-7 * Math.max(1, Math.abs(v / 1000));
    return ok ? [] : [`${v}: ${line}`];
  });
  t.same(bad, [], `${values.length} values`);
});
