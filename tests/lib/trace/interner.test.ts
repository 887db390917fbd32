import t from 'tap';
import { ByteInterner } from '../../../lib/trace/interner.js';

t.test('interning gives dense ids in first-seen order and the same id for the same bytes', async (t) => {
  const interner = new ByteInterner();
  const words = Array.from({ length: 20000 }, (_, i) => `id-${(i * 7919) % 5000}`);
  const ids = words.map((w) => interner.internString(w));
  const firstSeen = [...new Set(words)];
  t.equal(interner.size, 5000);
  t.same(
    ids,
    words.map((w) => firstSeen.indexOf(w)),
  );
  const pool = interner.toPool();
  t.same(pool.toArray(), firstSeen);
  t.equal(interner.internString(''), 5000, 'the empty string is a string too');
  t.equal(interner.internString('ünïcødé'), 5001);
  t.equal(interner.toPool().get(5001), 'ünïcødé');
});
