import { summaryProblem } from './summary-check.js';
import { DrtpError } from '../errors.js';
import { ioError } from '../fsutil/io-error.js';
import { OP_NAMES, SIZE_CLASS_NAMES } from '../contract/ops.js';
import type { EngineReport } from '../contract/replay.js';
import { summarizeSparse, type Percentiles } from './histogram.js';
import { Recorder } from './recorder.js';

export const SUMMARY_FORMAT = 'drtp-run-summary/1';

export interface ClassSummary {
  requests: number;
  ok: number;
  failed: number;
  bytes: number;
  latencyMs: Percentiles;
  serviceMs: Percentiles;
  ttfbMs: Percentiles;
  /** The generator's own lag, ms (open loop only): sent minus due, less the time the client held it. */
  lateness: Percentiles;
  /** Requests held behind their own client's requests in flight, and for how long, ms (open loop only). */
  queueing?: Percentiles;
}

/** A threshold's outcome: a failed one makes the run exit 99. */
export interface ThresholdVerdict {
  /** The expression as written. */
  threshold: string;
  /** The metric's value in its base unit (ms, fraction, count, bytes/s or requests/s); null when the run measured none. */
  observed: number | null;
  /** The observed value as read (`12.3 ms`, `0.2%`), or why there is none. */
  shown: string;
  pass: boolean;
  /** On an `abort_on_fail` threshold that stopped the run: its value over the window that failed. */
  aborted?: { windowSeconds: number; shown: string };
}

/** The summary of a run, as written to `<output>.summary.json` (schemas/summary.schema.json). */
export interface RunSummary {
  format: typeof SUMMARY_FORMAT;
  requests: { total: number; ok: number; failed: number; skipped: number };
  /** Bytes moved by successful requests (HEAD moves none). */
  bytes: number;
  /** From the first request sent to the last one done. */
  durationSeconds: number;
  /** Epoch ms of the first request sent and the last one done (for merging shards). */
  span: { startEpochMs: number; endEpochMs: number };
  throughput: { requestsPerSecond: number; bytesPerSecond: number };
  /** Share of successful requests the generator sent on time (open loop only; 0 when not waiting, as the original). */
  onTimeRatio: number;
  /** Requests the generator sent more than late_ms after it could have (held time excluded). */
  late: number;
  /** The generator's own lag of every request sent, ms: sent minus due, less the time its client held it (open loop only). */
  lateness: Percentiles;
  /**
   * Requests held behind their own client's requests in flight (the registry slower than the trace):
   * `count`, and how long, ms (open loop only).
   */
  queueing?: Percentiles;
  latencyMs: Percentiles;
  serviceMs: Percentiles;
  classes: Record<string, ClassSummary>;
  sizeClasses: Record<string, Percentiles>;
  registries: Record<string, Percentiles>;
  errors: Record<string, number>;
  skipped: Record<string, number>;
  /** The original player's statistics, under their meanings. */
  original: {
    successfulRequests: number;
    failedRequests: number;
    durationSeconds: number;
    dataTransferredBytes: number;
    averageLatencySeconds: number;
    onTimeRatio: number;
    throughputRequestsPerSecond: number;
  };
  /** The run's thresholds and their verdicts, in the order given (absent when none were set). */
  thresholds?: ThresholdVerdict[];
  /** Encoded HDR histograms (microseconds), by name, for exact merging of shards. */
  histograms: Record<string, string>;
  meta: Record<string, unknown>;
}

/** Adds up worker reports: counters add, histograms merge bucket by bucket (exact percentiles). */
export function mergeReports(reports: readonly EngineReport[]): EngineReport {
  const merged: EngineReport = {
    sent: 0,
    ok: 0,
    failed: 0,
    late: 0,
    queued: 0,
    lateSent: 0,
    bytes: 0,
    ops: OP_NAMES.map(() => [0, 0, 0, 0]),
    errors: {},
    histograms: {},
    firstSentMs: Infinity,
    lastDoneMs: 0,
  };
  for (const r of reports) {
    merged.sent += r.sent;
    merged.ok += r.ok;
    merged.failed += r.failed;
    merged.late += r.late;
    merged.queued += r.queued;
    merged.lateSent += r.lateSent;
    merged.bytes += r.bytes;
    r.ops.forEach((counts, op) => counts.forEach((v, k) => (merged.ops[op][k] += v)));
    for (const [code, n] of Object.entries(r.errors)) merged.errors[code] = (merged.errors[code] ?? 0) + n;
    merged.firstSentMs = Math.min(merged.firstSentMs, r.firstSentMs);
    merged.lastDoneMs = Math.max(merged.lastDoneMs, r.lastDoneMs);
  }
  for (const name of new Set(reports.flatMap((r) => Object.keys(r.histograms)))) {
    const sum = new Recorder();
    for (const r of reports) if (r.histograms[name] !== undefined) sum.addSparse(r.histograms[name]);
    merged.histograms[name] = sum.sparse();
  }
  return merged;
}

/**
 * The summary of a merged report, the skipped requests by reason, and the registries' names.
 * `clockEpochMs` is the epoch time of the report's time 0 (the run's common start).
 */
export function buildSummary(
  report: EngineReport,
  skipped: Record<string, number>,
  registryNames: readonly string[],
  meta: Record<string, unknown>,
  clockEpochMs: number,
): RunSummary {
  const histograms = new Map(
    Object.entries(report.histograms).map(([name, sparse]) => [name, summarizeSparse(sparse)]),
  );
  const none = summarizeSparse(new Float64Array(0));
  const pct = (name: string): Percentiles => (histograms.get(name) ?? none).percentiles;
  const skippedTotal = Object.values(skipped).reduce((a, b) => a + b, 0);
  const seconds = report.sent === 0 ? 0 : Math.max(0, report.lastDoneMs - report.firstSentMs) / 1000;
  const latency = pct('all.latency');
  const service = pct('all.service');
  const onTime = report.ok === 0 ? 0 : Math.max(0, report.ok - report.late) / report.ok;
  // The original's on-time share: sent within late_ms of due, whatever held the request.
  const onTimeAsSent = report.ok === 0 ? 0 : Math.max(0, report.ok - report.lateSent) / report.ok;
  const classes: Record<string, ClassSummary> = {};
  OP_NAMES.forEach((name, op) => {
    const [sent, ok, failed, bytes] = report.ops[op];
    if (sent === 0) return;
    classes[name] = {
      requests: sent,
      ok,
      failed,
      bytes,
      latencyMs: pct(`${name}.latency`),
      serviceMs: pct(`${name}.service`),
      ttfbMs: pct(`${name}.ttfb`),
      lateness: pct(`${name}.lateness`),
      queueing: pct(`${name}.queueing`),
    };
  });
  const sizeClasses: Record<string, Percentiles> = {};
  for (const name of SIZE_CLASS_NAMES) sizeClasses[name] = pct(`size:${name}.latency`);
  const registries: Record<string, Percentiles> = {};
  registryNames.forEach((name, i) => (registries[name] = pct(`registry:${i}.latency`)));
  return {
    format: SUMMARY_FORMAT,
    requests: { total: report.sent + skippedTotal, ok: report.ok, failed: report.failed, skipped: skippedTotal },
    bytes: report.bytes,
    durationSeconds: seconds,
    span:
      report.sent === 0
        ? { startEpochMs: clockEpochMs, endEpochMs: clockEpochMs }
        : { startEpochMs: clockEpochMs + report.firstSentMs, endEpochMs: clockEpochMs + report.lastDoneMs },
    throughput: {
      requestsPerSecond: seconds > 0 ? report.ok / seconds : 0,
      bytesPerSecond: seconds > 0 ? report.bytes / seconds : 0,
    },
    onTimeRatio: onTime,
    late: report.late,
    lateness: pct('all.lateness'),
    queueing: pct('all.queueing'),
    latencyMs: latency,
    serviceMs: service,
    classes,
    sizeClasses,
    registries,
    errors: report.errors,
    skipped,
    original: {
      successfulRequests: report.ok,
      failedRequests: report.failed,
      durationSeconds: seconds,
      dataTransferredBytes: report.bytes,
      averageLatencySeconds: service.mean / 1000,
      onTimeRatio: onTimeAsSent,
      throughputRequestsPerSecond: seconds > 0 ? report.ok / seconds : 0,
    },
    histograms: Object.fromEntries([...histograms].map(([name, h]) => [name, h.encoded])),
    meta,
  };
}

/** The summary with its thresholds' verdicts, placed before the histograms (where a reader looks). */
export function withThresholds(summary: RunSummary, verdicts: ThresholdVerdict[]): RunSummary {
  const { histograms, meta, ...rest } = summary;
  return { ...rest, thresholds: verdicts, histograms, meta };
}

/** Reads a summary file written by `drtp run` (or `drtp merge`); E_IO when it cannot be read as JSON. */
export async function readSummary(file: string): Promise<RunSummary> {
  const { readFile } = await import('node:fs/promises');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw ioError(err, 'read summary', file);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    // JSON.parse quotes the offending character: a control character must not reach a terminal raw.
    const reason = (err as Error).message.replace(
      /[\u0000-\u001f\u007f]/g,
      (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
    );
    throw new DrtpError('E_SUMMARY_FORMAT', `${file} is not a drtp run summary: not JSON (${reason})`, { file });
  }
  const problem = summaryProblem(data);
  if (problem !== undefined)
    throw new DrtpError('E_SUMMARY_FORMAT', `${file} is not a drtp run summary: ${problem.field} ${problem.message}`, {
      file,
      path: problem.field,
    });
  return data as RunSummary;
}
