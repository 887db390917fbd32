import t from 'tap';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RowWriter, rowPiece } from '../../../lib/stats/row-writer.js';
import { Random } from '../../../lib/trace/random.js';

t.test('numbers formatted by hand read back as the same numbers', async (t) => {
  const path = join(t.testdir(), 'rows.txt');
  const fd = openSync(path, 'w');
  const w = new RowWriter(fd, 64);
  const rng = new Random(9);
  const values: number[] = [
    0,
    1,
    9,
    10,
    99,
    100,
    123456789,
    -5,
    0.0005,
    0.0004,
    1.9995,
    -2.5,
    1795827241.733973,
    4e9,
    2147483647,
    2147483648,
    1e9 + 1,
    4000000005,
    0.0999,
    0.01,
    99.9995,
    1e12 + 7,
  ];
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
    const ok =
      a === String(Math.round(v)) &&
      b === (Math.round(v * 1000) / 1000).toFixed(3) &&
      Math.abs(Number(c) - v / 1000) <= 5.01e-7 * Math.max(1, Math.abs(v / 1000));
    return ok ? [] : [`${v}: ${line}`];
  });
  t.same(bad, [], `${values.length} values`);
});

t.test('pieces of every length, back to back and across flushes, are their bytes exactly', async (t) => {
  const path = join(t.testdir(), 'pieces.txt');
  const fd = openSync(path, 'w');
  // A small buffer: rows flush often, so pieces land at every offset and at the buffer's end.
  const w = new RowWriter(fd, 40);
  const texts = ['', 'a', 'ab', 'abc', 'abcd', 'abcde', '"c12","registry":', 'ünïcødé "名前"', '\n'];
  const pieces = texts.map((text) => rowPiece(Buffer.from(text)));
  let expected = '';
  const rng = new Random(3);
  for (let i = 0; i < 3000; i++) {
    const k = rng.int(texts.length);
    w.reserve(pieces[k].length);
    w.piece(pieces[k]);
    expected += texts[k];
    if (rng.next() < 0.2) {
      w.reserve(16);
      w.int(i);
      expected += String(i);
    }
  }
  w.flush();
  closeSync(fd);
  t.equal(readFileSync(path, 'utf8'), expected);
});

t.test('epoch microseconds read back as seconds with six decimals, across second boundaries', async (t) => {
  const path = join(t.testdir(), 'epoch.txt');
  const fd = openSync(path, 'w');
  const w = new RowWriter(fd, 64);
  const base = Date.parse('2026-11-28T06:00:00Z') * 1000;
  const values = [
    base,
    base + 1,
    base + 999_999,
    base + 1_000_000,
    base + 1_000_001,
    base + 999_999.6,
    base - 1,
    0,
    1,
    999_999,
  ];
  const rng = new Random(5);
  for (let i = 0; i < 2000; i++) values.push(base + Math.floor(rng.next() * 5e6) + rng.next());
  for (const us of values) {
    w.reserve(32);
    w.epochMicros(us);
    w.ascii('\n');
  }
  w.flush();
  closeSync(fd);
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  const bad = lines.flatMap((line, i) => {
    const r = Math.round(values[i]);
    const want = `${Math.floor(r / 1e6)}.${String(r % 1e6).padStart(6, '0')}`;
    return line === want ? [] : [`${values[i]}: ${line} (want ${want})`];
  });
  t.same(bad, [], `${values.length} values`);
});
