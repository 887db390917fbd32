/**
 * The floor under drtp's send timing, for `npm run bench -- timing`: a bare open-loop sender on the main
 * thread, no engine, no rows, no workers. It reads a schedule (a JSON array of [dueMs, client] pairs,
 * taken from a drtp run of the same trace) and at each due time dispatches a GET to the URL over that
 * client's own undici Client (opened at its first request, as drtp's are), waiting the way a careful
 * hand-written sender would: setTimeout to 2 ms before, then setImmediate until due. Prints one JSON
 * line: the lag (sent - due) of every request, sorted.
 *   timing-floor URL SCHEDULE-FILE
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Client } from '../../lib/registry/undici.js';

const [url, scheduleFile] = process.argv.slice(2);
const target = new URL(url);
const schedule = JSON.parse(readFileSync(scheduleFile, 'utf8')) as [number, string][];
const options = { method: 'GET', path: target.pathname } as const;
const clients = new Map<string, Client>();
const lags = new Float64Array(schedule.length);
let open = schedule.length;
let done: () => void = () => undefined;
const finished = new Promise<void>((resolve) => (done = resolve));
const handler = {
  onConnect(): void {},
  onHeaders(): boolean {
    return true;
  },
  onData(): boolean {
    return true;
  },
  onComplete(): void {
    if (--open === 0) done();
  },
  onError(): void {
    if (--open === 0) done();
  },
} as unknown as Parameters<Client['dispatch']>[1];

const start = performance.now() + 200;
let next = 0;
const tick = (): void => {
  const now = performance.now();
  while (next < schedule.length && start + schedule[next][0] <= now) {
    const [due, name] = schedule[next];
    let client = clients.get(name);
    if (client === undefined) clients.set(name, (client = new Client(target.origin)));
    lags[next++] = performance.now() - start - due;
    client.dispatch(options, handler);
  }
  if (next === schedule.length) return;
  const wait = start + schedule[next][0] - performance.now();
  if (wait > 2) setTimeout(tick, wait - 1.5);
  else setImmediate(tick);
};
setTimeout(tick, 150);
await finished;
await Promise.all([...clients.values()].map((c) => c.close()));
process.stdout.write(`${JSON.stringify(Array.from(lags.sort()))}\n`);
