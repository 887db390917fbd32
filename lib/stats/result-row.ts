import { OP_NAMES } from '../contract/ops.js';
import type { Completion } from '../contract/replay.js';
import { rowPiece, type RowPiece, type RowWriter } from './row-writer.js';

/**
 * NDJSON result rows. The original player's fields come first under their names: `time` (epoch
 * seconds when sent), `duration` (service seconds), `onTime` ("yes" / "no" / "failed"), `size` (bytes
 * moved); then drtp's: due and sent (ms after the start), service, latency and time to first byte in
 * ms, traced size, status, class, client, registry, outcome and error.
 */

/** The row of a request that was never sent. */
export function skippedRow(
  id: number,
  op: number,
  tracedSize: number,
  client: string,
  dueMs: number,
  reason: string,
): string {
  return (
    `{"time":null,"duration":null,"onTime":"failed","size":0,"id":${id},"class":"${OP_NAMES[op]}","client":${JSON.stringify(client)},` +
    `"registry":null,"dueMs":${dueMs.toFixed(3)},"tracedSize":${tracedSize},"outcome":"skipped","error":${JSON.stringify(reason)}}\n`
  );
}

/** `,"class":"<class>","client":`: the class and the key after it in one piece. */
const CLASS_CLIENT = OP_NAMES.map((name) => rowPiece(`,"class":"${name}","client":`));
// The row's constant pieces, encoded once.
const K_TIME = rowPiece('{"time":');
const K_DURATION = rowPiece(',"duration":');
const K_ON_TIME = rowPiece(',"onTime":"yes","size":');
const K_LATE = rowPiece(',"onTime":"no","size":');
const K_FAILED = rowPiece(',"onTime":"failed","size":');
const K_ID = rowPiece(',"id":');
const K_SENT = rowPiece(',"sentMs":');
const K_QUEUED = rowPiece(',"queuedMs":');
const K_SERVICE = rowPiece(',"serviceMs":');
const K_LATENCY = rowPiece(',"latencyMs":');
const K_TTFB = rowPiece(',"ttfbMs":');
const K_TRACED = rowPiece(',"tracedSize":');
const K_STATUS = rowPiece(',"status":');
const K_OK_END = rowPiece(',"outcome":"ok","error":null}\n');
const K_FAILED_ERROR = rowPiece(',"outcome":"failed","error":');
const K_NULL_END = rowPiece('null}\n');
const K_END = rowPiece('}\n');
const MAX_ROW = 512;

/** A client's name as a row carries it, with the key that follows: `"<name>","registry":`. */
export function clientPiece(name: string): RowPiece {
  return rowPiece(Buffer.from(`${JSON.stringify(name)},"registry":`));
}

/** A registry's name as a row carries it, with the key that follows: `"<name>","dueMs":`. */
export function registryPiece(name: string): RowPiece {
  return rowPiece(Buffer.from(`${JSON.stringify(name)},"dueMs":`));
}

/**
 * One request's row, formatted straight into a RowWriter (the run's hot path).
 * `client` and `registry` are their names' pieces (`clientPiece`, `registryPiece`); `error` is JSON-encoded here (rare).
 */
export function writeResultRow(
  w: RowWriter,
  c: Completion,
  id: number,
  op: number,
  tracedSize: number,
  client: RowPiece,
  registry: RowPiece,
  startEpochMs: number,
): void {
  const ok = c.failure === null && c.status >= 200 && c.status < 300;
  const error = ok
    ? null
    : Buffer.from(
        JSON.stringify(
          c.failure === null ? `E_REGISTRY_HTTP: HTTP ${c.status}` : `${c.failure.code}: ${c.failure.message}`,
        ),
      );
  w.reserve(MAX_ROW + client.length + registry.length + (error?.length ?? 0));
  const service = c.doneMs - c.sentMs;
  w.piece(K_TIME);
  w.epochMicros((startEpochMs + c.sentMs) * 1000);
  w.piece(K_DURATION);
  w.fixed(service / 1000, 6);
  w.piece(ok ? (c.onTime ? K_ON_TIME : K_LATE) : K_FAILED);
  w.int(ok ? c.bytes : 0);
  w.piece(K_ID);
  w.int(id);
  w.piece(CLASS_CLIENT[op]);
  w.piece(client);
  w.piece(registry);
  w.fixed(c.dueMs);
  w.piece(K_SENT);
  w.fixed(c.sentMs);
  w.piece(K_QUEUED);
  w.fixed(c.queuedMs);
  w.piece(K_SERVICE);
  w.fixed(service);
  w.piece(K_LATENCY);
  w.fixed(c.doneMs - c.dueMs);
  w.piece(K_TTFB);
  w.fixed(c.ttfbMs);
  w.piece(K_TRACED);
  w.int(tracedSize);
  w.piece(K_STATUS);
  w.int(c.status);
  if (ok) return w.piece(K_OK_END);
  w.piece(K_FAILED_ERROR);
  if (error === null) w.piece(K_NULL_END);
  else {
    w.bytes(error);
    w.piece(K_END);
  }
}
