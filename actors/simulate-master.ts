import { errorData } from '../lib/errors.js';
import { shareTable } from '../lib/trace/shared-table.js';
import type { TraceTable } from '../lib/trace/table.js';
import { sweepPoints, type SimulationPoint, type SweepSpec } from '../lib/simulation/sweep.js';
import type { SimulateTask } from './messages.js';
import { ActorPool } from './runtime.js';

export type { SimulationPoint, SweepSpec } from '../lib/simulation/sweep.js';

/**
 * Runs every point of a sweep, each a simulation actor on the worker pool. The trace table is copied
 * into shared memory once and read by every worker in place. A point whose model throws reports its
 * error; the others go on.
 */
export async function runSweep(
  table: TraceTable,
  spec: SweepSpec,
  workers: number,
  onPoint?: (done: number, total: number) => void,
  signal?: AbortSignal,
): Promise<SimulationPoint[]> {
  const points = sweepPoints(spec);
  // The workers start (each its own isolate and modules) while the table is copied into shared memory.
  const pool = ActorPool.of('simulator', Math.max(1, Math.min(workers, points.length)));
  let done = 0;
  // A stop ends the sweep at once: the points not finished by then say so, the finished ones are kept.
  const stopped = new Promise<'stopped'>((resolve) => {
    if (signal?.aborted === true) resolve('stopped');
    signal?.addEventListener('abort', () => resolve('stopped'), { once: true });
  });
  try {
    const shared = shareTable(table);
    return await Promise.all(
      points.map(async (p) => {
        const task: SimulateTask = {
          table: shared,
          model: p.model,
          args: p.args,
          ...(spec.registry === undefined ? {} : { registry: spec.registry }),
          ...(spec.python === undefined ? {} : { python: spec.python }),
        };
        const tag = p.original === undefined ? {} : { original: p.original };
        const notRun: SimulationPoint = {
          model: p.model,
          args: p.args,
          ...tag,
          error: { code: 'E_INTERRUPTED', message: 'not finished: the sweep was stopped' },
        };
        // A point that fails reports its error; the others go on.
        const point = await Promise.race([
          stopped.then(() => notRun),
          pool.run(task, {}).result.then(
            (value): SimulationPoint => ({
              model: p.model,
              args: p.args,
              ...tag,
              stats: value.stats,
              ...(value.summary === undefined ? {} : { summary: value.summary }),
            }),
            (err: unknown): SimulationPoint => ({
              model: p.model,
              args: p.args,
              ...tag,
              error: errorData(err),
            }),
          ),
        ]);
        onPoint?.(++done, points.length);
        return point;
      }),
    );
  } finally {
    await pool.destroy();
  }
}
