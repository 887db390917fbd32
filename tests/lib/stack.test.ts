import t from 'tap';
import { Stack } from '../../lib/stack.js';

t.test('a stack gives back what it was given, last in first out, and nothing when empty', async (t) => {
  const s = new Stack<{ id: number }>();
  t.equal(s.pop(), undefined);
  const a = { id: 1 };
  const b = { id: 2 };
  // Back and forth through empty, as an actor's one connection goes: the same object each time.
  for (let i = 0; i < 3; i++) {
    s.push(a);
    t.equal(s.pop(), a);
    t.equal(s.pop(), undefined);
  }
  s.push(a);
  s.push(b);
  t.equal(s.pop(), b);
  s.push(b);
  t.same([s.pop(), s.pop(), s.pop()], [b, a, undefined]);
});
