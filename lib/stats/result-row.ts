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

const OP_JSON = OP_NAMES.map((name) => `"${name}"`);
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
  w.ascii('{"time":');
  w.fixed((startEpochMs + c.sentMs) / 1000, 6);
  w.ascii(',"duration":');
  w.fixed(service / 1000, 6);
  w.ascii(ok ? (c.onTime ? ',"onTime":"yes","size":' : ',"onTime":"no","size":') : ',"onTime":"failed","size":');
  w.int(ok ? c.bytes : 0);
  w.ascii(',"id":');
  w.int(id);
  w.ascii(',"class":');
  w.ascii(OP_JSON[op]);
  w.ascii(',"client":');
  w.bytes(clientJson);
  w.ascii(',"registry":');
  w.bytes(registryJson);
  w.ascii(',"dueMs":');
  w.fixed(c.dueMs);
  w.ascii(',"sentMs":');
  w.fixed(c.sentMs);
  w.ascii(',"serviceMs":');
  w.fixed(service);
  w.ascii(',"latencyMs":');
  w.fixed(c.doneMs - c.dueMs);
  w.ascii(',"ttfbMs":');
  w.fixed(c.ttfbMs);
  w.ascii(',"tracedSize":');
  w.int(tracedSize);
  w.ascii(',"status":');
  w.int(c.status);
  w.ascii(ok ? ',"outcome":"ok","error":null}\n' : ',"outcome":"failed","error":');
  if (!ok) {
    if (error === null) w.ascii('null');
    else w.bytes(error);
    w.ascii('}\n');
  }
}
