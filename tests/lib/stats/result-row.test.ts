import t from 'tap';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Op, OP_NAMES } from '../../../lib/contract/ops.js';
import type { Completion, Segment } from '../../../lib/contract/replay.js';
import { clientPiece, registryPiece, writeResultRow } from '../../../lib/stats/result-row.js';
import { RowWriter } from '../../../lib/stats/row-writer.js';
import { Random } from '../../../lib/trace/random.js';

/** The row a request should get, built the obvious way (values chosen with no rounding ties). */
function expected(
  c: Completion,
  id: number,
  op: number,
  tracedSize: number,
  client: string,
  registry: string,
  startEpochMs: number,
): string {
  const ok = c.failure === null && c.status >= 200 && c.status < 300;
  const error = ok
    ? null
    : c.failure === null
      ? `E_REGISTRY_HTTP: HTTP ${c.status}`
      : `${c.failure.code}: ${c.failure.message}`;
  const service = c.doneMs - c.sentMs;
  const onTime = ok ? (c.onTime ? 'yes' : 'no') : 'failed';
  return (
    `{"time":${((startEpochMs + c.sentMs) / 1000).toFixed(6)},"duration":${(service / 1000).toFixed(6)},"onTime":"${onTime}","size":${ok ? c.bytes : 0},"id":${id},` +
    `"class":"${OP_NAMES[op]}","client":${JSON.stringify(client)},"registry":${JSON.stringify(registry)},"dueMs":${c.dueMs.toFixed(3)},"sentMs":${c.sentMs.toFixed(3)},"queuedMs":${c.queuedMs.toFixed(3)},` +
    `"serviceMs":${service.toFixed(3)},"latencyMs":${(c.doneMs - c.dueMs).toFixed(3)},"ttfbMs":${c.ttfbMs.toFixed(3)},"tracedSize":${tracedSize},"status":${c.status},` +
    `"outcome":"${ok ? 'ok' : 'failed'}","error":${JSON.stringify(error)}}`
  );
}

t.test('result rows: every field, in order, for ok, late, failed and errored requests of every class', async (t) => {
  const path = join(t.testdir(), 'rows.ndjson');
  const fd = openSync(path, 'w');
  // A small buffer: rows cross flushes.
  const w = new RowWriter(fd, 1024);
  const rng = new Random(4);
  const segment = {} as Segment;
  const clients = ['c1', '10.0.0.1', 'ünïcode "quoted"'];
  const registries = ['127.0.0.1:5000', 'registry-2'];
  const startEpochMs = 1_700_000_000_123;
  const want: string[] = [];
  for (let i = 0; i < 500; i++) {
    const op = i % OP_NAMES.length;
    // Whole microseconds: formatting with 3 decimals of ms rounds no ties.
    const us = (): number => rng.int(5_000_000) / 1000;
    const dueMs = us();
    const sentMs = dueMs + rng.int(100_000) / 1000;
    const doneMs = sentMs + us();
    const kind = i % 4;
    const c: Completion = {
      row: i,
      segment,
      index: i,
      dueMs,
      sentMs,
      doneMs,
      ttfbMs: rng.int(1_000_000) / 1000,
      status: kind === 2 ? 404 : kind === 3 ? 0 : op === Op.PUT_BLOB ? 201 : 200,
      bytes: rng.int(1 << 30),
      // A 404 is an answer (no failure: it fails by its status); a refused connection fails without one.
      failure: kind === 3 ? { code: 'E_REGISTRY_CONNECT', message: 'refused "now"' } : null,
      onTime: kind === 0,
      queuedMs: kind === 1 ? rng.int(50_000) / 1000 : 0,
    };
    const traced = rng.int(2 ** 40);
    const client = clients[i % clients.length];
    const registry = registries[i % registries.length];
    writeResultRow(w, c, i * 7, op, traced, clientPiece(client), registryPiece(registry), startEpochMs);
    want.push(expected(c, i * 7, op, traced, client, registry, startEpochMs));
  }
  w.flush();
  closeSync(fd);
  const rows = readFileSync(path, 'utf8').split('\n');
  t.equal(rows.pop(), '', 'every row ends with a newline');
  t.equal(rows.length, want.length);
  let same = 0;
  for (let i = 0; i < rows.length; i++) if (rows[i] === want[i]) same++;
  t.equal(same, want.length, 'byte for byte the rows built the obvious way');
  t.same(Object.keys(JSON.parse(rows[0]) as object), [
    'time',
    'duration',
    'onTime',
    'size',
    'id',
    'class',
    'client',
    'registry',
    'dueMs',
    'sentMs',
    'queuedMs',
    'serviceMs',
    'latencyMs',
    'ttfbMs',
    'tracedSize',
    'status',
    'outcome',
    'error',
  ]);
  const first = rows.findIndex((r, i) => r !== want[i]);
  if (first >= 0) t.equal(rows[first], want[first], `row ${first}`);
});
