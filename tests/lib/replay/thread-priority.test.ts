import t from 'tap';
import { getPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import { currentThreadId, SenderPriority } from '../../../lib/replay/thread-priority.js';

const linux = process.platform === 'linux';

/** A worker thread that reports its kernel id and stays until terminated. */
async function idleThread(): Promise<{ id: number; worker: Worker }> {
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads'); parentPort.postMessage(Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop())); setInterval(() => {}, 1000);`,
    { eval: true },
  );
  const id = await new Promise<number>((resolve) => worker.once('message', resolve));
  return { id, worker };
}

t.test('the main thread is the process', { skip: !linux && 'per-thread ids are Linux only' }, async (t) => {
  t.equal(currentThreadId(), process.pid);
});

t.test(
  'once every sender has named its threads, the others are lowered, the senders kept',
  { skip: !linux && 'per-thread priority is Linux only' },
  async (t) => {
    const sender = await idleThread();
    const other = await idleThread();
    t.teardown(async () => {
      await sender.worker.terminate();
      await other.worker.terminate();
    });
    const before = { main: getPriority(process.pid), sender: getPriority(sender.id), other: getPriority(other.id) };
    const priority = new SenderPriority(2);
    priority.keep([sender.id]);
    t.equal(getPriority(other.id), before.other, 'nothing changes before the last sender reports');
    priority.keep([currentThreadId(), undefined]);
    t.equal(getPriority(sender.id), before.sender, 'a sender keeps its priority');
    t.equal(getPriority(process.pid), before.main, 'so does the other sender (this thread)');
    t.equal(getPriority(other.id), Math.min(19, before.other + 10), 'every other thread is lowered');
    priority.restore();
    if (process.getuid?.() === 0)
      t.equal(getPriority(other.id), before.other, 'restored (raising a priority back needs privilege)');
  },
);
