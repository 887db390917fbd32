import t from 'tap';
import { performance } from 'node:perf_hooks';
import type { Completion, RegistryPort, Segment } from '../../../lib/contract/replay.js';
import { Op } from '../../../lib/contract/ops.js';
import { AlarmClock } from '../../../lib/replay/alarm-clock.js';
import { ReplayEngine } from '../../../lib/replay/engine.js';
import { currentThreadId } from '../../../lib/replay/thread-priority.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

for (const started of [true, false])
  t.test(
    `an alarm calls back once, and a cancelled or replaced one never (${started ? 'on its thread' : 'before its thread is up'})`,
    async (t) => {
      const clock = new AlarmClock();
      t.teardown(() => clock.close());
      if (started) await clock.threadId;
      const calls: string[] = [];
      clock.at(() => calls.push('replaced'), performance.now() + 5);
      clock.at(() => calls.push('second'), performance.now() + 10);
      await sleep(40);
      t.same(calls, ['second'], 'arming again replaces the armed alarm');
      const cancel = clock.at(() => calls.push('cancelled'), performance.now() + 5);
      cancel();
      await sleep(30);
      t.same(calls, ['second'], 'a cancelled alarm does not fire');
      // Due already (or within the last stretch): called from the event loop, not at once.
      let soon = false;
      clock.at(() => (soon = true), performance.now());
      t.equal(soon, false, 'never called synchronously');
      await sleep(5);
      t.equal(soon, true);
    },
  );

t.test("the alarm's thread names its kernel id, and close() ends it", async (t) => {
  const clock = new AlarmClock();
  const id = await clock.threadId;
  if (process.platform === 'linux') {
    t.type(id, 'number');
    t.not(id, currentThreadId(), 'a thread of its own');
  } else t.equal(id, undefined);
  let fired = false;
  clock.at(() => (fired = true), performance.now() + 20);
  await clock.close();
  await sleep(40);
  t.equal(fired, false, 'an alarm armed at close never fires');
  await clock.close();
  t.pass('closing twice is harmless');
});

/** Answers every request at once. */
class InstantPort implements RegistryPort {
  start(row: number, _segment: Segment, _index: number, engine: ReplayEngine): void {
    setImmediate(() => engine.complete(row, 200, 1, null));
  }
  async close(): Promise<void> {}
}

t.test('an open-loop engine on an alarm clock sends every row at or after its due time', async (t) => {
  const n = 60;
  // Bursts of three rows in one instant, 3 to 9 ms apart: waits both longer and shorter than the polled stretch.
  const due = Float64Array.from({ length: n }, (_, i) => 20 + Math.floor(i / 3) * (3 + (i % 7)));
  const segment: Segment = {
    length: n,
    due,
    op: new Uint8Array(n).fill(Op.GET_BLOB),
    size: new Float64Array(n).fill(1),
    registry: new Uint8Array(n),
    actor: Uint32Array.from({ length: n }, (_, i) => i % 4),
    target: new Uint32Array(n),
    repo: new Uint32Array(n),
    agent: new Uint32Array(n),
    rowId: Uint32Array.from({ length: n }, (_, i) => i),
  };
  const clock = new AlarmClock();
  t.teardown(() => clock.close());
  const completions: Completion[] = [];
  const engine = new ReplayEngine(
    new InstantPort(),
    { wait: true, inFlight: 3, lateMs: 1000, actors: 4, registries: 1, startAt: performance.now(), timers: clock },
    (c) => completions.push({ ...c }),
  );
  engine.append(segment);
  engine.end();
  const report = await engine.run();
  t.equal(report.sent, n);
  t.equal(completions.length, n);
  const early = completions.filter((c) => c.sentMs < c.dueMs);
  t.same(early, [], 'no row leaves before its due time');
});
