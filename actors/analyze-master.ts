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
  const workers = Math.max(1, options.workers ?? availableParallelism());
  const groups = fileGroups(files, sizes, Math.min(GROUP_BYTES, Math.ceil(sizes.reduce((a, b) => a + b, 0) / (workers * 4))));
  const order = groups.map((_, k) => k).sort((a, b) => groups[b].bytes - groups[a].bytes);
  const pool = new ActorPool('analyzer', Math.max(1, Math.min(workers, groups.length)));
  const totals = new TotalsByDataCenter();
  // Partials are added in the order the files were given (the first size seen of an object wins), each
  // as soon as those before it are in, while the workers read on.
  const arrived: (FilePartial[] | undefined)[] = new Array(groups.length);
  let added = 0;
  let done = 0;
  try {
    await Promise.all(
      order.map(async (k) => {
        arrived[k] = await pool.run<AnalyzeTask, FilePartial[]>({ files: groups[k].files, strict: options.strict ?? false }).result;
        done += groups[k].files.length;
        options.onFile?.(done, files.length);
        for (; added < groups.length && arrived[added] !== undefined; added++) for (const partial of arrived[added] ?? []) totals.add(partial);
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

/** Small files are analyzed in groups of consecutive files up to this many bytes or files a task. */
const GROUP_BYTES = 4 << 20;
const GROUP_FILES = 512;

/** The tasks: each large file alone, runs of small ones together up to `groupBytes`, in the order given. */
function fileGroups(files: readonly string[], sizes: readonly number[], groupBytes: number): { files: string[]; bytes: number }[] {
  const groups: { files: string[]; bytes: number }[] = [];
  let open: { files: string[]; bytes: number } | undefined;
  for (const [k, file] of files.entries()) {
    if (sizes[k] >= groupBytes) {
      groups.push({ files: [file], bytes: sizes[k] });
      open = undefined;
      continue;
    }
    if (open === undefined || open.bytes + sizes[k] > groupBytes || open.files.length >= GROUP_FILES) groups.push((open = { files: [], bytes: 0 }));
    open.files.push(file);
    open.bytes += sizes[k];
  }
  return groups;
}

function sizeOf(stat: typeof import('node:fs').statSync, file: string): number {
  try {
    return stat(file).size;
  } catch {
    return 0;
  }
}
