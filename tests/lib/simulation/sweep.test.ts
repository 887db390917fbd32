import t from 'tap';
import { sweepPoints, type SweepSpec } from '../../../lib/simulation/sweep.js';

const spec = (over: Partial<SweepSpec>): SweepSpec => ({
  models: ['lru'],
  args: undefined,
  sweep: {},
  baseDir: '/',
  ...over,
});

t.test('a sweep is the cartesian product of the swept values, each model taking only its own arguments', async (t) => {
  const points = sweepPoints(spec({ models: ['lru', 'fifo'], sweep: { capacity_gb: [1, 2, 4] } }));
  t.same(
    points.map((p) => `${p.model} ${JSON.stringify(p.args)}`),
    [
      'lru {"capacity_gb":1}',
      'lru {"capacity_gb":2}',
      'lru {"capacity_gb":4}',
      'fifo {"capacity_gb":1}',
      'fifo {"capacity_gb":2}',
      'fifo {"capacity_gb":4}',
    ],
  );
  t.same(sweepPoints(spec({})), [{ model: 'lru', args: undefined }], 'no arguments: as init(requests)');
  t.same(sweepPoints(spec({ args: { capacity_gb: 3 } })), [{ model: 'lru', args: { capacity_gb: 3 } }]);
});

t.test(
  'an argument no model takes is an E_CONFIG naming the valid ones; a shard keeps every count-th point',
  async (t) => {
    t.throws(() => sweepPoints(spec({ sweep: { size_of_shoe: [1] } })), {
      code: 'E_CONFIG',
      message: /no model takes the argument "size_of_shoe" \(lru: /,
    });
    t.throws(() => sweepPoints(spec({ models: ['nope-policy'] })), { code: 'E_CONFIG' });
    const all = sweepPoints(spec({ sweep: { capacity_gb: [1, 2, 3, 4, 5] } }));
    const shards = [0, 1].map((index) =>
      sweepPoints(spec({ sweep: { capacity_gb: [1, 2, 3, 4, 5] }, shard: { index, count: 2 } })),
    );
    t.same(shards[0], [all[0], all[2], all[4]]);
    t.same(shards[1], [all[1], all[3]]);
  },
);

t.test(
  "the original's cache.py and prefetch.py become their built-in points, with their required arguments",
  async (t) => {
    const cache = sweepPoints(spec({ models: ['cache.py'], args: { cache_size: 8 } }));
    t.same(
      cache.map((p) => p.args),
      [10, 15, 20].map((fs) => ({ cache_size: 8, restrict_mb: 100, fs_multiplier: fs })),
    );
    t.ok(cache.every((p) => p.model === 'two-level' && p.original === 'cache.py'));
    t.throws(() => sweepPoints(spec({ models: ['cache.py'] })), { code: 'E_CONFIG', message: /cache_size/ });
    const prefetch = sweepPoints(spec({ models: ['prefetch.py'], args: { outfile: 'out.txt' } }));
    t.equal(prefetch.length, 16, '4 x 4 timeout pairs');
    t.same(prefetch[1].args, { rtimeout: 600, mtimeout: 3600, compat: 'original' });
  },
);
