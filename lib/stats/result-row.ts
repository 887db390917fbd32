import { OP_NAMES } from '../schedule/classes.js';
import type { Completion } from '../schedule/engine.js';
import type { RowWriter } from './row-writer.js';

/**
 * NDJSON result rows. The original player's fields come first under their names: `time` (epoch
 * seconds when sent), `duration` (service seconds), `onTime` ("yes" / "no" / "failed"), `size` (bytes
 * moved); then drtp's: due and sent (ms after the start), service, latency and time to first byte in
 * ms, traced size, status, class, client, registry, outcome and error.
 */

/** The row of a request that was never sent. */
export function skippedRow(id: number, op: number, tracedSize: number, client: string, dueMs: number, reason: string): string {
  return (
    `{"time":null,"duration":null,"onTime":"failed","size":0,"id":${id},"class":"${OP_NAMES[op]}","client":${JSON.stringify(client)},` +
    `"registry":null,"dueMs":${dueMs.toFixed(3)},"tracedSize":${tracedSize},"outcome":"skipped","error":${JSON.stringify(reason)}}\n`
  );
}

const latin1 = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const OP_JSON = OP_NAMES.map((name) => latin1(`"${name}"`));
// The row's constant pieces, encoded once.
const K_TIME = latin1('{"time":');
const K_DURATION = latin1(',"duration":');
const K_ON_TIME = latin1(',"onTime":"yes","size":');
const K_LATE = latin1(',"onTime":"no","size":');
const K_FAILED = latin1(',"onTime":"failed","size":');
const K_ID = latin1(',"id":');
const K_CLASS = latin1(',"class":');
const K_CLIENT = latin1(',"client":');
const K_REGISTRY = latin1(',"registry":');
const K_DUE = latin1(',"dueMs":');
const K_SENT = latin1(',"sentMs":');
const K_SERVICE = latin1(',"serviceMs":');
const K_LATENCY = latin1(',"latencyMs":');
const K_TTFB = latin1(',"ttfbMs":');
const K_TRACED = latin1(',"tracedSize":');
const K_STATUS = latin1(',"status":');
const K_OK_END = latin1(',"outcome":"ok","error":null}\n');
const K_FAILED_ERROR = latin1(',"outcome":"failed","error":');
const K_NULL_END = latin1('null}\n');
const K_END = latin1('}\n');
const MAX_ROW = 512;

/**
 * One request's row, formatted straight into a RowWriter (the run's hot path).
 * `clientJson` and `registryJson` are pre-encoded JSON strings; `error` is JSON-encoded here (rare).
 */
export function writeResultRow(w: RowWriter, c: Completion, id: number, op: number, tracedSize: number, clientJson: Uint8Array, registryJson: Uint8Array, startEpochMs: number): void {
  const ok = c.error === null && c.status >= 200 && c.status < 300;
  const error = c.error === null ? null : Buffer.from(JSON.stringify(c.error));
  w.reserve(MAX_ROW + clientJson.length + registryJson.length + (error?.length ?? 0));
  const service = c.doneMs - c.sentMs;
  w.bytes(K_TIME);
  w.fixed((startEpochMs + c.sentMs) / 1000, 6);
  w.bytes(K_DURATION);
  w.fixed(service / 1000, 6);
  w.bytes(ok ? (c.onTime ? K_ON_TIME : K_LATE) : K_FAILED);
  w.int(ok ? c.bytes : 0);
  w.bytes(K_ID);
  w.int(id);
  w.bytes(K_CLASS);
  w.bytes(OP_JSON[op]);
  w.bytes(K_CLIENT);
  w.bytes(clientJson);
  w.bytes(K_REGISTRY);
  w.bytes(registryJson);
  w.bytes(K_DUE);
  w.fixed(c.dueMs);
  w.bytes(K_SENT);
  w.fixed(c.sentMs);
  w.bytes(K_SERVICE);
  w.fixed(service);
  w.bytes(K_LATENCY);
  w.fixed(c.doneMs - c.dueMs);
  w.bytes(K_TTFB);
  w.fixed(c.ttfbMs);
  w.bytes(K_TRACED);
  w.int(tracedSize);
  w.bytes(K_STATUS);
  w.int(c.status);
  if (ok) return w.bytes(K_OK_END);
  w.bytes(K_FAILED_ERROR);
  if (error === null) w.bytes(K_NULL_END);
  else {
    w.bytes(error);
    w.bytes(K_END);
  }
}
