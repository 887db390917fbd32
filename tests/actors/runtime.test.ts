import t from 'tap';
import { PassThrough } from 'node:stream';
import { ActorPool, StopFanOut } from '../../actors/runtime.js';
import { reportError } from '../../cli/base.js';
import type { FixtureMaster, FixtureProtocol } from '../fixtures/actors/entry.js';

// Under tap's TypeScript loader a worker may name the `.js` of a `.ts` source.
const ENTRY = new URL('../fixtures/actors/entry.js', import.meta.url);

async function exitStatusOf(err: unknown): Promise<{ status: number; text: string }> {
  const stderr = new PassThrough();
  let text = '';
  stderr.on('data', (c: Buffer) => (text += c.toString()));
  const status = reportError(err, stderr);
  return { status, text };
}

t.test('a task calls the master over comlink and returns its value', async (t) => {
  const pool = new ActorPool<FixtureProtocol>(ENTRY, 1);
  t.teardown(() => pool.destroy());
  const seen: number[] = [];
  const master: FixtureMaster = { seen: (n) => (seen.push(n), n * 2) };
  t.equal(await pool.run({ does: 'echo', value: 21 }, master).result, 42);
  t.same(seen, [21]);
});

t.test('queued tasks start in the order they were given (a sweep runs its points in its order)', async (t) => {
  const pool = new ActorPool<FixtureProtocol>(ENTRY, 1);
  t.teardown(() => pool.destroy());
  const seen: number[] = [];
  const master: FixtureMaster = { seen: (n) => (seen.push(n), n) };
  const given = Array.from({ length: 12 }, (_, i) => i);
  await Promise.all(given.map((value) => pool.run({ does: 'echo', value }, master).result));
  t.same(seen, given);
});

t.test("a worker's error keeps its code across the thread: E_IO exits 4, a bug E_INTERNAL exits 70", async (t) => {
  const pool = new ActorPool<FixtureProtocol>(ENTRY, 1);
  t.teardown(() => pool.destroy());
  const io = await pool.run({ does: 'io-error' }, { seen: (n) => n }).result.catch((e: unknown) => e);
  t.match(io, { code: 'E_IO', location: { file: '/results.ndjson' } });
  t.same(await exitStatusOf(io), {
    status: 4,
    text: 'drtp: E_IO: cannot write /results.ndjson: no space left on the device (ENOSPC)\n',
  });
  const bug = await pool.run({ does: 'bug' }, { seen: (n) => n }).result.catch((e: unknown) => e);
  t.match(bug, { code: 'E_INTERNAL', message: /TypeError: Cannot read properties of undefined/ });
  const reported = await exitStatusOf(bug);
  t.equal(reported.status, 70);
  t.match(reported.text, /fixtures\/actors\/entry\.ts/, "the worker's stack is in the report");
});

t.test('the master stops a worker through its API', async (t) => {
  const pool = new ActorPool<FixtureProtocol>(ENTRY, 1);
  t.teardown(() => pool.destroy());
  const running = pool.run({ does: 'wait-for-stop' }, {
    seen: (n: number) => n + 1,
  } satisfies FixtureMaster);
  // ready: the worker has exposed its API, so the call is answered (no retries, no timing).
  await running.ready;
  await running.worker.stop();
  t.equal(await running.result, 2);
});

t.test(
  'a stop fan-out asks every worker once its API answers, those started after the stop too, and ends with the signal',
  async (t) => {
    const pool = new ActorPool<FixtureProtocol>(ENTRY, 2);
    t.teardown(() => pool.destroy());
    const abort = new AbortController();
    const stops = new StopFanOut(abort.signal);
    const first = pool.run({ does: 'wait-for-stop' }, { seen: (n) => n * 10 });
    stops.add(first);
    abort.abort();
    t.ok(stops.stopped, 'the abort stops');
    const late = pool.run({ does: 'wait-for-stop' }, { seen: (n) => n * 100 });
    stops.add(late);
    t.same(
      await Promise.all([first.result, late.result]),
      [10, 100],
      'both stopped: the one asked before its API was up, and the one added after',
    );
    stops.close();
    const already = new StopFanOut(abort.signal);
    t.ok(already.stopped, 'a signal aborted before the job starts it stopped');
    const afterAbort = pool.run({ does: 'wait-for-stop' }, { seen: (n) => n + 5 });
    already.add(afterAbort);
    t.equal(await afterAbort.result, 6, 'and its workers are asked as they come');
    const finished = pool.run({ does: 'echo', value: 3 }, { seen: (n) => n });
    t.equal(await finished.result, 3);
    await finished.ready;
    t.pass('ready resolves for a task that ended without exposing an API');
  },
);
