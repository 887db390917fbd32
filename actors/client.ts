/**
 * Client worker entry: hosts the client actors of one share of the trace. Runs the replay engine
 * against the registries over HTTP as segments of the share arrive (asking the master for the next one
 * when the engine runs low), appends result rows to the results file, reports progress on the task's
 * port, and returns the final counters and encoded histograms. Imports only lib/ and the message types.
 */
import { closeSync, openSync } from 'node:fs';
import { HttpPort } from '../lib/registry/http-port.js';
import { ReplayEngine, type Completion } from '../lib/schedule/engine.js';
import type { SegmentBatch } from '../lib/schedule/router.js';
import { writeResultRow } from '../lib/stats/result-row.js';
import { RowWriter } from '../lib/stats/row-writer.js';
import { PROTOCOL_VERSION, type ControlMessage, type PortDone, type ReplayReport, type ReplayTask, type ReplayTaskResult, type SegmentMessage } from './messages.js';

const PROGRESS_MS = 1000;

export default async function clientWorker(task: ReplayTask): Promise<ReplayTaskResult> {
  if (task.protocolVersion !== PROTOCOL_VERSION) throw new Error(`client worker speaks protocol ${PROTOCOL_VERSION}, got ${task.protocolVersion}`);
  const strings: string[] = [];
  const actorJson: Buffer[] = [];
  const port = new HttpPort(strings, {
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
  const onComplete =
    rows === undefined
      ? undefined
      : (c: Completion): void => {
          const s = c.segment;
          writeResultRow(rows, c, s.rowId[c.index], s.op[c.index], s.size[c.index], actorJson[s.actor[c.index]], registryJson[s.registry[c.index]], task.startAtEpochMs);
        };
  const engine = new ReplayEngine(
    port,
    { wait: task.wait, inFlight: task.inFlight, lateMs: task.lateMs, actors: 0, registries: task.registries.length, startAt, lowWater: task.lowWater, onNeedRows: () => task.port.postMessage({ type: 'need' } satisfies ReplayReport) },
    onComplete,
  );
  const take = (batch: SegmentBatch): void => {
    strings.push(...batch.strings);
    for (const name of batch.actorNames) actorJson.push(Buffer.from(JSON.stringify(name)));
    engine.addActors(actorJson.length);
    if (batch.segment === null) engine.end();
    else engine.append(batch.segment);
  };
  task.port.on('message', (message: ControlMessage | SegmentMessage) => {
    if (message.type === 'stop') engine.stop();
    else take(message);
  });
  take(task.first);
  const progress = (): void => {
    const r = engine.report;
    const interval = engine.takeInterval();
    task.port.postMessage({ type: 'progress', done: r.ok + r.failed, ok: r.ok, failed: r.failed, bytes: r.bytes, late: r.late, interval } satisfies ReplayReport, [interval.buffer as ArrayBuffer]);
  };
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
