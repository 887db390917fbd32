import { availableParallelism } from 'node:os';
import type { FilePartial } from '../lib/analyze/pass.js';
import { analyze, analyzeWithCharts, type Analysis, type ChartData } from '../lib/analyze/summary.js';
import { DrtpError } from '../lib/errors.js';
import type { FileReadCounts } from '../lib/trace/load.js';
import type { AnalyzeTask } from './messages.js';
import { ActorPool } from './runtime.js';
import { traceInputs } from '../lib/trace/inputs.js';

export type TraceAnalysis = Analysis & { dataCenters: Record<string, Analysis>; malformedExamples: string[] };

/**
 * Characterizes trace files, file by file on the worker pool (largest first, so the pool stays busy),
 * then adds the partials up overall and per data center.
 */
export async function analyzeTraces(paths: readonly string[], options: { strict?: boolean; workers?: number; onFile?: (done: number, total: number) => void } = {}): Promise<{ analysis: TraceAnalysis; charts: ChartData; perFile: FileReadCounts[] }> {
  if (paths.length === 0) throw new DrtpError('E_USAGE', 'no trace files given');
  const files = await traceInputs(paths);
  const { statSync } = await import('node:fs');
  const order = [...files].sort((a, b) => sizeOf(statSync, b) - sizeOf(statSync, a));
  const pool = new ActorPool('analyzer', Math.max(1, Math.min(options.workers ?? availableParallelism(), files.length)));
  let done = 0;
  const byFile = new Map<string, FilePartial[]>();
  try {
    await Promise.all(
      order.map(async (file) => {
        byFile.set(file, await pool.run<AnalyzeTask, FilePartial[]>({ file, strict: options.strict ?? false }).result);
        options.onFile?.(++done, files.length);
      }),
    );
  } finally {
    await pool.destroy();
  }
  // Back in the order given, so maps fill (first size seen wins) as a sequential read would.
  const partials = files.flatMap((file) => byFile.get(file) ?? []);
  const dataCenters: Record<string, Analysis> = {};
  for (const dc of [...new Set(partials.map((p) => p.dataCenter))].sort()) dataCenters[dc] = analyze(partials.filter((p) => p.dataCenter === dc));
  const { analysis, charts } = analyzeWithCharts(partials);
  return { analysis: { ...analysis, dataCenters, malformedExamples: partials.flatMap((p) => p.read.malformedExamples).slice(0, 10) }, charts, perFile: partials.flatMap((p) => p.read.perFile) };
}

function sizeOf(stat: typeof import('node:fs').statSync, file: string): number {
  try {
    return stat(file).size;
  } catch {
    return 0;
  }
}
