import { availableParallelism } from 'node:os';
import type { FilePartial } from '../lib/analyze/pass.js';
import type { Analysis, ChartData } from '../lib/analyze/summary.js';
import { TotalsByDataCenter } from '../lib/analyze/by-data-center.js';
import { GROUP_BYTES, fileGroups } from '../lib/trace/file-groups.js';
import { DrtpError } from '../lib/errors.js';
import type { FileReadCounts } from '../lib/trace/load.js';

import { ActorPool } from './runtime.js';
import { fileSizes, traceInputs } from '../lib/trace/inputs.js';

export type TraceAnalysis = Analysis & { dataCenters: Record<string, Analysis>; malformedExamples: string[] };

/**
 * Characterizes trace files, file by file on the worker pool (largest first, so the pool stays busy),
 * and adds the partials up overall and per data center as they come. `charts` makes the HTML page's data
 * when called.
 */
export async function analyzeTraces(
  paths: readonly string[],
  options: {
    strict?: boolean;
    workers?: number;
    onFile?: (done: number, total: number) => void;
    exclude?: readonly string[];
  } = {},
): Promise<{ analysis: TraceAnalysis; charts: () => ChartData; perFile: FileReadCounts[] }> {
  if (paths.length === 0) throw new DrtpError('E_USAGE', 'no trace files given');
  const files = await traceInputs(paths, options.exclude);
  const sizes = await fileSizes(files);
  const workers = Math.max(1, options.workers ?? availableParallelism());
  const groups = fileGroups(
    files,
    sizes,
    Math.min(GROUP_BYTES, Math.ceil(sizes.reduce((a, b) => a + b, 0) / (workers * 4))),
  );
  const order = groups.map((_, k) => k).sort((a, b) => groups[b].bytes - groups[a].bytes);
  const pool = ActorPool.of('analyzer', Math.max(1, Math.min(workers, groups.length)));
  const totals = new TotalsByDataCenter();
  // Partials are added in the order the files were given (the first size seen of an object wins), each
  // as soon as those before it are in, while the workers read on.
  const arrived: (FilePartial[] | undefined)[] = new Array(groups.length);
  let added = 0;
  let done = 0;
  try {
    await Promise.all(
      order.map(async (k) => {
        arrived[k] = await pool.run({ files: groups[k].files, strict: options.strict ?? false }, {}).result;
        done += groups[k].files.length;
        options.onFile?.(done, files.length);
        for (; added < groups.length && arrived[added] !== undefined; added++)
          for (const partial of arrived[added] ?? []) totals.add(partial);
      }),
    );
  } finally {
    await pool.destroy();
  }
  const partials = arrived.flatMap((p) => p ?? []);
  const { analysis, charts, dataCenters } = totals.result();
  return {
    analysis: {
      ...analysis,
      dataCenters,
      malformedExamples: partials.flatMap((p) => p.read.malformedExamples).slice(0, 10),
    },
    charts,
    perFile: partials.flatMap((p) => p.read.perFile),
  };
}
