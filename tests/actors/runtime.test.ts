import t from 'tap';
import { PassThrough } from 'node:stream';
import { ActorPool } from '../../actors/runtime.js';
import type { StoppableWorker } from '../../actors/messages.js';
import { reportError } from '../../cli/base.js';
import type { FixtureMaster, FixtureTask } from '../fixtures/actors/entry.js';

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
  const pool = new ActorPool(ENTRY, 1);
  t.teardown(() => pool.destroy());
  const seen: number[] = [];
  const master: FixtureMaster = { seen: (n) => (seen.push(n), n * 2) };
  t.equal(await pool.run<FixtureTask, number>({ does: 'echo', value: 21 }, master).result, 42);
  t.same(seen, [21]);
});

t.test("a worker's error keeps its code across the thread: E_IO exits 4, a bug E_INTERNAL exits 70", async (t) => {
  const pool = new ActorPool(ENTRY, 1);
  t.teardown(() => pool.destroy());
  const io = await pool.run<FixtureTask, number>({ does: 'io-error' }).result.catch((e: unknown) => e);
  t.match(io, { code: 'E_IO', location: { file: '/results.ndjson' } });
  t.same(await exitStatusOf(io), {
    status: 4,
    text: 'drtp: E_IO: cannot write /results.ndjson: no space left on the device (ENOSPC)\n',
  });
  const bug = await pool.run<FixtureTask, number>({ does: 'bug' }).result.catch((e: unknown) => e);
  t.match(bug, { code: 'E_INTERNAL', message: /TypeError: Cannot read properties of undefined/ });
  const reported = await exitStatusOf(bug);
  t.equal(reported.status, 70);
  t.match(reported.text, /fixtures\/actors\/entry\.ts/, "the worker's stack is in the report");
});

t.test('the master stops a worker through its API', async (t) => {
  const pool = new ActorPool(ENTRY, 1);
  t.teardown(() => pool.destroy());
  const running = pool.run<FixtureTask, number, StoppableWorker>({ does: 'wait-for-stop' }, {
    seen: (n: number) => n + 1,
  } satisfies FixtureMaster);
  // The worker exposes stop() once it runs: retry until it answers.
  for (let tries = 0; tries < 100; tries++) {
    const answered = await Promise.race([
      running.worker.stop().then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 50)),
    ]);
    if (answered) break;
  }
  t.equal(await running.result, 2);
});
