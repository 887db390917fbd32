import { availableParallelism } from 'node:os';
import type { FilePartial } from '../lib/analyze/pass.js';
import { AnalysisTotals, type Analysis, type ChartData } from '../lib/analyze/summary.js';
import { DrtpError } from '../lib/errors.js';
import type { FileReadCounts } from '../lib/trace/load.js';
import type { AnalyzeTask } from './messages.js';
import { ActorPool } from './runtime.js';
import { traceInputs } from '../lib/trace/inputs.js';

export type TraceAnalysis = Analysis & { dataCenters: Record<string, Analysis>; malformedExamples: string[] };

/**
 * Characterizes trace files, file by file on the worker pool (largest first, so the pool stays busy),
 * and adds the partials up overall and per data center as they come.
 */
export async function analyzeTraces(paths: readonly string[], options: { strict?: boolean; workers?: number; onFile?: (done: number, total: number) => void; exclude?: readonly string[] } = {}): Promise<{ analysis: TraceAnalysis; charts: ChartData; perFile: FileReadCounts[] }> {
  if (paths.length === 0) throw new DrtpError('E_USAGE', 'no trace files given');
  const files = await traceInputs(paths, options.exclude);
  const { statSync } = await import('node:fs');
  const sizes = files.map((file) => sizeOf(statSync, file));
  const order = files.map((_, k) => k).sort((a, b) => sizes[b] - sizes[a]);
  const pool = new ActorPool('analyzer', Math.max(1, Math.min(options.workers ?? availableParallelism(), files.length)));
  const totals = new TotalsByDataCenter();
  // Partials are added in the order the files were given (the first size seen of an object wins), each
  // as soon as those before it are in, while the workers read on.
  const arrived: (FilePartial[] | undefined)[] = new Array(files.length);
  let added = 0;
  let done = 0;
  try {
    await Promise.all(
      order.map(async (k) => {
        arrived[k] = await pool.run<AnalyzeTask, FilePartial[]>({ file: files[k], strict: options.strict ?? false }).result;
        options.onFile?.(++done, files.length);
        for (; added < files.length && arrived[added] !== undefined; added++) for (const partial of arrived[added] ?? []) totals.add(partial);
      }),
    );
  } finally {
    await pool.destroy();
  }
  const partials = arrived.flatMap((p) => p ?? []);
  const { analysis, charts, dataCenters } = totals.result();
  return { analysis: { ...analysis, dataCenters, malformedExamples: partials.flatMap((p) => p.read.malformedExamples).slice(0, 10) }, charts, perFile: partials.flatMap((p) => p.read.perFile) };
}

/**
 * Totals per data center, and overall. While the partials come from one data center, its totals are the
 * overall totals too: the overall ones are kept apart only once a second data center appears (then the
 * partials seen so far are added to them first).
 */
class TotalsByDataCenter {
  private readonly byDataCenter = new Map<string, AnalysisTotals>();
  private readonly seen: FilePartial[] = [];
  private overall: AnalysisTotals | null = null;

  add(partial: FilePartial): void {
    let dc = this.byDataCenter.get(partial.dataCenter);
    if (dc === undefined) {
      this.byDataCenter.set(partial.dataCenter, (dc = new AnalysisTotals()));
      if (this.byDataCenter.size === 2) {
        this.overall = new AnalysisTotals();
        for (const earlier of this.seen) this.overall.add(earlier);
      }
    }
    dc.add(partial);
    this.overall?.add(partial);
    this.seen.push(partial);
  }

  result(): { analysis: Analysis; charts: ChartData; dataCenters: Record<string, Analysis> } {
    const dataCenters: Record<string, Analysis> = {};
    const results = new Map([...this.byDataCenter].map(([name, totals]) => [name, totals.result()]));
    for (const name of [...results.keys()].sort()) dataCenters[name] = (results.get(name) as { analysis: Analysis }).analysis;
    const overall = this.overall?.result() ?? results.values().next().value ?? new AnalysisTotals().result();
    return { ...overall, dataCenters };
  }
}

function sizeOf(stat: typeof import('node:fs').statSync, file: string): number {
  try {
    return stat(file).size;
  } catch {
    return 0;
  }
}
