import { DrtpError } from '../errors.js';
import { OP_NAMES } from '../contract/ops.js';
import type { EngineReport } from '../contract/replay.js';
import { decodeHistogram, recorderOf } from './histogram.js';
import { buildSummary, mergeReports, SUMMARY_FORMAT, type RunSummary } from './summary.js';

export interface NamedSummary {
  file: string;
  summary: RunSummary;
}

/**
 * Adds up the summaries of the shards of one run, exactly: counts and bytes add, HDR histograms merge
 * bucket by bucket (so the merged p99 is the p99 of all requests), and the span runs from the earliest
 * start to the latest end. Refuses summaries of different traces or configurations, or the same shard
 * twice.
 */
export function mergeSummaries(inputs: readonly NamedSummary[]): RunSummary {
  if (inputs.length === 0) throw new DrtpError('E_USAGE', 'drtp merge needs at least one summary');
  for (const { file, summary } of inputs) {
    if (summary.format !== SUMMARY_FORMAT)
      throw new DrtpError(
        'E_MERGE',
        `${file} is not a drtp run summary (format ${String(summary.format)}, expected ${SUMMARY_FORMAT})`,
        { file },
      );
  }
  const [first] = inputs;
  const same = (key: string, show: (m: Record<string, unknown>) => unknown): void => {
    const expected = JSON.stringify(show(first.summary.meta));
    for (const { file, summary } of inputs.slice(1)) {
      if (JSON.stringify(show(summary.meta)) !== expected) {
        throw new DrtpError('E_MERGE', `${file} and ${first.file} are not shards of one run: their ${key} differ`, {
          file,
        });
      }
    }
  };
  same('trace files', (m) => m.traceFiles);
  same('configurations', (m) => m.configHash);
  const shards = inputs.map(({ summary }) => summary.meta.shard as { index: number; count: number } | undefined);
  const seen = new Map<number, string>();
  inputs.forEach(({ file }, k) => {
    const shard = shards[k];
    if (shard === undefined) return;
    if (seen.has(shard.index))
      throw new DrtpError(
        'E_MERGE',
        `${file} and ${seen.get(shard.index)} are both shard ${shard.index} of ${shard.count}`,
        { file },
      );
    seen.set(shard.index, file);
  });

  const start = Math.min(...inputs.map(({ summary }) => summary.span.startEpochMs));
  const report = mergeReports(inputs.map(({ summary }) => reportOf(summary, start)));
  const skipped: Record<string, number> = {};
  for (const { summary } of inputs)
    for (const [reason, n] of Object.entries(summary.skipped)) skipped[reason] = (skipped[reason] ?? 0) + n;
  const counts = shards.filter((s): s is { index: number; count: number } => s !== undefined);
  const meta = {
    ...first.summary.meta,
    shard: undefined,
    merged: {
      files: inputs.map((i) => i.file),
      shards: counts.map((s) => s.index).sort((a, b) => a - b),
      ...(counts.length > 0
        ? { of: counts[0].count, complete: new Set(counts.map((s) => s.index)).size === counts[0].count }
        : {}),
    },
    startedAt: new Date(
      Math.min(...inputs.map(({ summary }) => Date.parse(String(summary.meta.startedAt)))),
    ).toISOString(),
    endedAt: new Date(Math.max(...inputs.map(({ summary }) => Date.parse(String(summary.meta.endedAt))))).toISOString(),
  };
  return buildSummary(report, skipped, Object.keys(first.summary.registries), meta, start);
}

/** A summary back in the form of an engine report, its times relative to `clockEpochMs`. */
function reportOf(s: RunSummary, clockEpochMs: number): EngineReport {
  return {
    sent: s.requests.ok + s.requests.failed,
    ok: s.requests.ok,
    failed: s.requests.failed,
    late: s.late,
    queued: s.queueing?.count ?? 0,
    lateSent: Math.round(s.requests.ok * (1 - s.original.onTimeRatio)),
    bytes: s.bytes,
    ops: OP_NAMES.map((name) => {
      const c = s.classes[name];
      return c === undefined ? [0, 0, 0, 0] : [c.requests, c.ok, c.failed, c.bytes];
    }),
    errors: s.errors,
    histograms: Object.fromEntries(
      Object.entries(s.histograms).map(([name, encoded]) => [name, recorderOf(decodeHistogram(encoded)).sparse()]),
    ),
    firstSentMs: s.span.startEpochMs - clockEpochMs,
    lastDoneMs: s.span.endEpochMs - clockEpochMs,
  };
}
