import { OP_NAMES } from '../schedule/classes.js';
import type { Completion } from '../schedule/engine.js';

/**
 * One NDJSON result row. The original player's fields come first under their names: `time` (epoch
 * seconds when sent), `duration` (service seconds), `onTime` ("yes" / "no" / "failed"), `size` (bytes
 * moved); then drtp's: due and sent (ms after the start), service, latency and time to first byte in
 * ms, traced size, status, class, client, registry, outcome and error.
 */
export function resultRow(
  c: Completion,
  id: number,
  op: number,
  tracedSize: number,
  /** The client's name, already JSON-encoded (callers cache it). */
  clientJson: string,
  /** The registry's name, already JSON-encoded. */
  registryJson: string,
  startEpochMs: number,
): string {
  const ok = c.error === null && c.status >= 200 && c.status < 300;
  const service = c.doneMs - c.sentMs;
  return (
    `{"time":${((startEpochMs + c.sentMs) / 1000).toFixed(6)},"duration":${(service / 1000).toFixed(6)},` +
    `"onTime":"${ok ? (c.onTime ? 'yes' : 'no') : 'failed'}","size":${ok ? c.bytes : 0},` +
    `"id":${id},"class":"${OP_NAMES[op]}","client":${clientJson},"registry":${registryJson},` +
    `"dueMs":${c.dueMs.toFixed(3)},"sentMs":${c.sentMs.toFixed(3)},"serviceMs":${service.toFixed(3)},` +
    `"latencyMs":${(c.doneMs - c.dueMs).toFixed(3)},"ttfbMs":${c.ttfbMs.toFixed(3)},"tracedSize":${tracedSize},` +
    `"status":${c.status},"outcome":"${ok ? 'ok' : 'failed'}","error":${c.error === null ? 'null' : JSON.stringify(c.error)}}\n`
  );
}

/** The row of a request that was never sent. */
export function skippedRow(id: number, op: number, tracedSize: number, client: string, dueMs: number, reason: string): string {
  return (
    `{"time":null,"duration":null,"onTime":"failed","size":0,"id":${id},"class":"${OP_NAMES[op]}","client":${JSON.stringify(client)},` +
    `"registry":null,"dueMs":${dueMs.toFixed(3)},"tracedSize":${tracedSize},"outcome":"skipped","error":${JSON.stringify(reason)}}\n`
  );
}
