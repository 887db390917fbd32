import t from 'tap';
import type { Test } from 'tap';
import { KeyedTotals, keyedFromPool, type KeyedValues } from '../../../lib/analyze/keyed.js';
import { ByteInterner } from '../../../lib/trace/interner.js';

/** A part keyed by `names`, with a count and a size per name, as a worker's partial carries it. */
const part = (names: string[], counts: number[], sizes: number[]): KeyedValues => {
  const interner = new ByteInterner();
  const ids = names.map((name) => interner.internString(name));
  const byId = (values: number[]): Float64Array => {
    const column = new Float64Array(interner.size);
    ids.forEach((id, k) => (column[id] = values[k]));
    return column;
  };
  return keyedFromPool(interner.toPool(), ids, [byId(counts), byId(sizes)]);
};

/** Adds `parts` partials (after `empty` ones with no keys) and checks the columns against maps. */
const addedUp = (t: Test, parts: number, empty = 0): void => {
  const totals = new KeyedTotals(['sum', 'first']);
  const sums = new Map<string, number>();
  const firsts = new Map<string, number>();
  for (let e = 0; e < empty; e++) totals.add(part([], [], []));
  for (let p = 0; p < parts; p++) {
    const names = Array.from({ length: 3000 }, (_, k) => `layer-${(k * 7 + p * 1000) % 5000}`);
    const counts = names.map((_, k) => 1 + ((k + p) % 5));
    const sizes = names.map((_, k) => 100 * (k + 1) + p);
    totals.add(part(names, counts, sizes));
    names.forEach((name, k) => {
      sums.set(name, (sums.get(name) ?? 0) + counts[k]);
      if (!firsts.has(name)) firsts.set(name, sizes[k]);
    });
  }
  t.same(Array.from(totals.column(0)), [...sums.values()], `${parts} partials after ${empty} empty: sums`);
  t.same(Array.from(totals.column(1)), [...firsts.values()], `${parts} partials after ${empty} empty: first sizes`);
};

t.test('counts add and first sizes stay by key, as maps would, past the growth of the totals', async (t) => {
  addedUp(t, 3);
  addedUp(t, 2);
});

t.test('one partial is its own totals; partials with no keys change nothing', async (t) => {
  addedUp(t, 1);
  addedUp(t, 0);
  addedUp(t, 1, 1);
  addedUp(t, 2, 2);
});
