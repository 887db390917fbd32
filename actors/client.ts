/**
 * Client worker entry: hosts the client actors of one share of the trace. Runs the replay engine
 * against the registries over HTTP, streams result rows and progress to the master on the task's port,
 * and returns the final counters and encoded histograms. Imports only lib/ and the message types.
 */
import { closeSync, openSync } from 'node:fs';
import { HttpPort } from '../lib/registry/http-port.js';
import { ReplayEngine, type Completion } from '../lib/schedule/engine.js';
import { writeResultRow } from '../lib/stats/result-row.js';
import { RowWriter } from '../lib/stats/row-writer.js';
import { PROTOCOL_VERSION, type ControlMessage, type PortDone, type ReplayReport, type ReplayTask, type ReplayTaskResult } from './messages.js';

const PROGRESS_MS = 1000;

export default async function clientWorker(task: ReplayTask): Promise<ReplayTaskResult> {
  if (task.protocolVersion !== PROTOCOL_VERSION) throw new Error(`client worker speaks protocol ${PROTOCOL_VERSION}, got ${task.protocolVersion}`);
  const actors = task.actorNames.length;
  const port = new HttpPort(task, actors, {
    registries: task.registries,
    inFlight: task.inFlight,
    random: task.random,
    connectTimeoutMs: task.connectTimeoutMs,
    timeoutMs: task.timeoutMs,
    manifestsAsImages: task.manifestsAsImages,
  });
  // Start at the same wall-clock instant as every other worker.
  const startAt = performance.now() + (task.startAtEpochMs - Date.now());
  // Rows go straight to the results file: no copy through the master, which only renames it when done.
  const fd = task.resultsFile === undefined ? undefined : openSync(task.resultsFile, 'a');
  const rows = fd === undefined ? undefined : new RowWriter(fd);
  const registryJson = task.registries.map((r) => Buffer.from(JSON.stringify(r.name)));
  const actorJson = task.actorNames.map((name) => Buffer.from(JSON.stringify(name)));
  const onComplete =
    rows === undefined
      ? undefined
      : (c: Completion): void =>
          writeResultRow(rows, c, task.rowId[c.row], task.op[c.row], task.size[c.row], actorJson[task.actor[c.row]], registryJson[task.registry[c.row]], task.startAtEpochMs);
  const engine = new ReplayEngine({ length: task.due.length, due: task.due, op: task.op, size: task.size, registry: task.registry, actor: task.actor }, port, { wait: task.wait, inFlight: task.inFlight, lateMs: task.lateMs, actors, registries: task.registries.length, startAt }, onComplete);
  const progress = (): void => {
    const r = engine.report;
    task.port.postMessage({ type: 'progress', done: r.ok + r.failed, ok: r.ok, failed: r.failed, bytes: r.bytes, late: r.late, interval: engine.takeInterval() } satisfies ReplayReport);
  };
  task.port.on('message', (message: ControlMessage) => {
    if (message.type === 'stop') engine.stop();
  });
  const ticker = setInterval(progress, PROGRESS_MS);
  try {
    // Wait for the common start without holding the event loop busy.
    const delay = startAt - performance.now();
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    return await engine.run();
  } finally {
    clearInterval(ticker);
    rows?.flush();
    if (fd !== undefined) closeSync(fd);
    progress();
    await port.close();
    task.port.postMessage({ type: 'done' } satisfies PortDone);
    task.port.close();
  }
}
