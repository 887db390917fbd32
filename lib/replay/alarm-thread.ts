/**
 * The thread behind AlarmClock: sleeps on a futex until the armed time (Atomics.wait takes fractions of
 * a millisecond, where the event loop's timers take whole ones) and then wakes the engine's thread with
 * a message carrying the alarm's number. A negative number ends the thread. Its first message names
 * its kernel thread id.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { hrMs } from './hr-clock.js';
import { currentThreadId } from './thread-priority.js';

export interface AlarmThreadData {
  /** Int32 alarm number at byte 0, Float64 wake time (hrMs) at byte 8. */
  state: SharedArrayBuffer;
  port: MessagePort;
}

const { state, port } = workerData as AlarmThreadData;
const number = new Int32Array(state, 0, 1);
const wakeAt = new Float64Array(state, 8, 1);

// First the thread's id, for SenderPriority; then alarm numbers.
port.postMessage({ threadId: currentThreadId() });
for (;;) {
  const armed = Atomics.load(number, 0);
  if (armed < 0) break;
  const wait = wakeAt[0] - hrMs();
  if (wait > 0) {
    // Woken early when the engine arms, cancels or closes: each case is read again above.
    Atomics.wait(number, 0, armed, wait);
    continue;
  }
  port.postMessage(armed);
  Atomics.wait(number, 0, armed);
}
port.close();
