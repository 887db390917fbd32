/**
 * Client worker entry: hosts the client actors of one share of the trace. Runs the replay engine
 * against the registries over HTTP as segments of the share arrive (asking the master for the next one
 * when the engine runs low), appends result rows to the results file, reports progress to the master,
 * and returns the final counters and histograms. Imports only lib/, the runtime and the message types.
 */
import { closeSync, openSync } from 'node:fs';
import { DrtpError } from '../lib/errors.js';
import { ioError } from '../lib/fsutil/io-error.js';
import { HttpPort, type HttpPortOptions } from '../lib/registry/http-port.js';
import { STOP_GRACE_MS } from '../lib/registry/deadline.js';
import type { Completion, Segment } from '../lib/contract/replay.js';
import { ReplayEngine, type EngineOptions } from '../lib/replay/engine.js';
import { AlarmClock } from '../lib/replay/alarm-clock.js';
import { currentThreadId } from '../lib/replay/thread-priority.js';
import { Op } from '../lib/contract/ops.js';
import { sleepUntil } from '../lib/replay/sleep.js';
import type { SegmentBatch } from '../lib/planning/router.js';
import { clientPiece, registryPiece, writeResultRow } from '../lib/stats/result-row.js';
import { RowWriter, type RowPiece } from '../lib/stats/row-writer.js';
import type { StoppableWorker, Protocols } from './messages.js';
import { actorEntry } from './runtime.js';
import { drtpUserAgent } from '../lib/version.js';

const PROGRESS_MS = 1000;
/** Requests of the rehearsal (see `rehearse`), and the least time before the start it needs. */
const REHEARSAL_REQUESTS = 16;
const REHEARSAL_MIN_MS = 50;

/** Where an engine's completions go: result rows, with the names they carry pre-encoded. */
interface RowSink {
  rows: RowWriter;
  actorPieces: RowPiece[];
  registryPieces: RowPiece[];
  startEpochMs: number;
}

/** An engine over `port` that writes every completion into `sink` (no rows without one). */
function replayEngine(port: HttpPort, options: EngineOptions, sink: RowSink | undefined): ReplayEngine {
  const onComplete =
    sink === undefined
      ? undefined
      : (c: Completion): void => {
          const s = c.segment;
          writeResultRow(
            sink.rows,
            c,
            s.rowId[c.index],
            s.op[c.index],
            s.size[c.index],
            sink.actorPieces[s.actor[c.index]],
            sink.registryPieces[s.registry[c.index]],
            sink.startEpochMs,
          );
        };
  return new ReplayEngine(port, options, onComplete);
}

/**
 * A few reads through the run's own code (port, engine, result rows; in the run's mode: open or closed
 * loop, with live latency or without) against the master's loopback server, before the start instant.
 * Without it the first requests of a replay pay, at the very instant they are due, for compiling
 * undici's HTTP parser (WebAssembly, on the first connection) and the lazily compiled code of the whole
 * request path: milliseconds of late sends and of service time that are drtp's, not the registry's. It
 * costs what those first requests would have cost, moved before the start; the replay's own connections
 * are still opened by its first requests, as a docker client's are.
 *
 * The server lives in the master, not here: serving sockets in this isolate taught V8 the server side
 * of Node's stream code, which the replay's client sockets then ran with that mixed type feedback.
 */
async function rehearse(
  portOptions: HttpPortOptions,
  origin: string,
  wait: boolean,
  lateMs: number,
  liveLatency: boolean,
  deadline: number,
  timers: AlarmClock | undefined,
): Promise<void> {
  const strings = ['/v2/drtp/rehearsal/blobs/sha256:0', drtpUserAgent()];
  const port = new HttpPort(strings, { ...portOptions, registries: [{ name: origin, origin }], inFlight: 1 });
  const n = REHEARSAL_REQUESTS;
  const segment: Segment = {
    length: n,
    // In the run's mode: open-loop rehearsals release their reads at due times a quarter ms apart.
    due: Float64Array.from({ length: n }, (_, i) => (wait ? i / 4 : 0)),
    op: new Uint8Array(n).fill(Op.GET_BLOB),
    size: new Float64Array(n).fill(2),
    registry: new Uint8Array(n),
    actor: new Uint32Array(n),
    target: new Uint32Array(n),
    repo: new Uint32Array(n),
    agent: new Uint32Array(n).fill(1),
    rowId: new Uint32Array(n),
  };
  // Rows are formatted, never written: the buffer holds all 16 (under 1 KiB each), so it never flushes.
  const sink: RowSink = {
    rows: new RowWriter(-1, 64 * 1024),
    actorPieces: [clientPiece('rehearsal')],
    registryPieces: [registryPiece(origin)],
    startEpochMs: Date.now(),
  };
  const engine = replayEngine(
    port,
    { wait, inFlight: 1, lateMs, actors: 1, registries: 1, startAt: performance.now(), liveLatency, timers },
    sink,
  );
  engine.append(segment);
  engine.end();
  // Bounded: a rehearsal that cannot finish before the start is abandoned, never waited for.
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - performance.now()))));
  try {
    await Promise.race([engine.run(), late]);
    // Let the connection go idle before closing it: undici resumes a client a turn after each
    // response, and a replay's clients go idle whenever they wait (a closed loop's at their last
    // request). Closing first left that path unseen, and V8 threw away and recompiled undici's
    // optimized resume code mid-run when the first client went idle.
    await new Promise((resolve) => setImmediate(resolve));
    engine.stop();
    await Promise.race([port.close(), late]);
  } finally {
    clearTimeout(timer);
  }
}

export default actorEntry<Protocols['client']>(async (task, { master, expose }) => {
  const strings: string[] = [];
  const warmedSizes: number[] = [];
  const actorPieces: RowPiece[] = [];
  const portOptions: HttpPortOptions = {
    registries: task.registries,
    inFlight: task.inFlight,
    random: task.random,
    connectTimeoutMs: task.connectTimeoutMs,
    timeoutMs: task.timeoutMs,
    deadlineMs: task.deadlineMs,
    verifyDigests: task.verifyDigests,
    checkSizes: task.checkSizes,
    manifestsAsImages: task.manifestsAsImages,
  };
  // An open loop's sends wait on an alarm thread, not on setTimeout (see AlarmClock); this thread and
  // that one are then the ones the master keeps ahead of the others.
  const timers = task.wait ? new AlarmClock() : undefined;
  if (timers !== undefined)
    void timers.threadId.then((id) => master.senderThreads([currentThreadId(), id])).catch(() => undefined);
  // Start at the same wall-clock instant as every other worker.
  const startAt = performance.now() + (task.startAtEpochMs - Date.now());
  if (task.rehearsalOrigin !== undefined && startAt - performance.now() >= REHEARSAL_MIN_MS) {
    // A warm-up only: a failed rehearsal leaves the replay as it would be without one.
    await rehearse(
      portOptions,
      task.rehearsalOrigin,
      task.wait,
      task.lateMs,
      task.progress,
      startAt - REHEARSAL_MIN_MS / 5,
      timers,
    ).catch(() => undefined);
  }
  // Rows go straight to the results file: no copy through the master, which only renames it when done.
  const resultsFile = task.resultsFile;
  const shownAs = task.resultsShownAs ?? (resultsFile as string);
  let fd: number | undefined;
  try {
    fd = resultsFile === undefined ? undefined : openSync(resultsFile, 'a');
  } catch (err) {
    throw ioError(err, 'write results to', shownAs);
  }
  const port = new HttpPort(strings, portOptions, warmedSizes);
  let failure: DrtpError | undefined;
  // Rows that cannot be written (a full disk) stop the replay: a run without its results measures nothing kept.
  const onWriteFailure = (err: unknown): void => {
    failure = ioError(err, 'write results to', shownAs);
    // The failure is also this task's result: a master already gone loses nothing.
    master.failed(failure.toData()).catch(() => undefined);
    engine.stop();
  };
  const sink =
    fd === undefined
      ? undefined
      : {
          rows: new RowWriter(fd, undefined, onWriteFailure),
          actorPieces,
          registryPieces: task.registries.map((r) => registryPiece(r.name)),
          startEpochMs: task.startAtEpochMs,
        };
  const take = (batch: SegmentBatch): void => {
    strings.push(...batch.strings);
    warmedSizes.push(...batch.warmedSizes);
    for (const name of batch.actorNames) actorPieces.push(clientPiece(name));
    engine.addActors(actorPieces.length);
    if (batch.segment === null) engine.end();
    else engine.append(batch.segment);
  };
  // A master that cannot hand out rows ends the share with the failure, rather than leaving the engine waiting.
  const onNeedRows = (): void => {
    master.nextSegment().then(take, (err: unknown) => {
      failure ??= new DrtpError('E_INTERNAL', `the master did not hand out the next segment: ${String(err)}`);
      engine.end();
    });
  };
  const engine = replayEngine(
    port,
    {
      wait: task.wait,
      inFlight: task.inFlight,
      lateMs: task.lateMs,
      actors: 0,
      registries: task.registries.length,
      startAt,
      lowWater: task.lowWater,
      liveLatency: task.progress,
      perSecond: task.perSecond,
      onNeedRows,
      timers,
    },
    sink,
  );
  const stopped = new AbortController();
  let grace: NodeJS.Timeout | undefined;
  expose({
    stop: (): void => {
      stopped.abort();
      engine.stop();
      grace ??= setTimeout(() => port.abortAll(), STOP_GRACE_MS);
    },
  } satisfies StoppableWorker);
  take(task.first);
  // Deltas are copied, not transferred: detaching a buffer in this isolate invalidates a V8 protector,
  // and every optimized function touching a typed array (the engine's, the row writer's, undici's HTTP
  // parser) is thrown away and compiled again after the first tick.
  const progress = (final: boolean): Promise<void> => {
    const r = engine.report;
    const { seconds, before } = task.perSecond ? engine.takeSeconds(final) : { seconds: [], before: 0 };
    return master.progress({
      done: r.ok + r.failed,
      ok: r.ok,
      failed: r.failed,
      bytes: r.bytes,
      late: r.late,
      queued: r.queued,
      interval: engine.takeInterval(),
      sent: r.sent,
      ops: r.ops,
      byRegistry: engine.byRegistry,
      seconds,
      secondsBefore: before,
      final,
    });
  };
  // Live progress is best-effort; the final report goes back as the task's result.
  const ticker = task.progress ? setInterval(() => progress(false).catch(() => undefined), PROGRESS_MS) : undefined;
  try {
    // Wait for the common start without holding the event loop busy (a stop ends the wait).
    await sleepUntil(startAt, stopped.signal);
    const report = await engine.run();
    sink?.rows.flush();
    if (failure !== undefined) throw failure;
    return report;
  } finally {
    clearInterval(ticker);
    clearTimeout(grace);
    sink?.rows.flush();
    if (fd !== undefined) closeSync(fd);
    if (task.progress) await progress(true);
    await Promise.all([port.close(), timers?.close()]);
  }
});
