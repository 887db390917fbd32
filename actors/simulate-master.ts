import { isAbsolute, resolve } from 'node:path';
import { MODELS } from '../lib/cache/index.js';
import { DrtpError, type ErrorData } from '../lib/errors.js';
import { shareTable } from '../lib/trace/shared-table.js';
import type { TraceTable } from '../lib/trace/table.js';
import { PROTOCOL_VERSION, type SimulateTask, type SimulateTaskResult } from './messages.js';
import { workerPool } from './pool.js';

/** One point of a simulation: a model with its arguments, and what it counted (or why it failed). */
export interface SimulationPoint {
  model: string;
  args: Record<string, unknown> | undefined;
  stats?: unknown;
  error?: ErrorData;
}

export interface SweepSpec {
  /** Built-in model names or module paths (relative to `baseDir`). */
  models: readonly string[];
  /** Fixed arguments (undefined: none given, as the original's init(requests)). */
  args: Record<string, unknown> | undefined;
  /** Argument name -> values: the cartesian product is swept. */
  sweep: Record<string, readonly unknown[]>;
  baseDir: string;
  /** Only the points k with k mod count = index (a sharded sweep); default all. */
  shard?: { index: number; count: number };
}

/** Every point of a sweep: each model with each combination of the swept values. Pure. */
export function sweepPoints(spec: SweepSpec): { model: string; args: Record<string, unknown> | undefined }[] {
  let combos: Record<string, unknown>[] = [{}];
  for (const [name, values] of Object.entries(spec.sweep)) combos = combos.flatMap((c) => values.map((v) => ({ ...c, [name]: v })));
  const swept = Object.keys(spec.sweep).length > 0;
  const all = spec.models.flatMap((name) => {
    const model = MODELS[name] !== undefined ? name : isAbsolute(name) ? name : resolve(spec.baseDir, name);
    if (MODELS[name] === undefined && !/\.(js|mjs|ts)$/.test(name)) {
      throw new DrtpError('E_CONFIG', `simulate.name: no built-in model "${name}" (built-in: ${Object.keys(MODELS).join(', ')}; or a .js, .mjs or .ts module path)`, { path: '/simulate/name' });
    }
    return combos.map((combo) => ({ model, args: swept || spec.args !== undefined ? { ...spec.args, ...combo } : undefined }));
  });
  const shard = spec.shard;
  return shard === undefined ? all : all.filter((_, k) => k % shard.count === shard.index);
}

/**
 * Runs every point of a sweep, each a simulation actor on the worker pool. The trace table is copied
 * into shared memory once and read by every worker in place. A point whose model throws reports its
 * error; the others go on.
 */
export async function runSweep(table: TraceTable, spec: SweepSpec, workers: number, onPoint?: (done: number, total: number) => void): Promise<SimulationPoint[]> {
  const points = sweepPoints(spec);
  const shared = shareTable(table);
  const pool = workerPool('simulator', Math.max(1, Math.min(workers, points.length)));
  let done = 0;
  try {
    return await Promise.all(
      points.map(async (p) => {
        const task: SimulateTask = { type: 'simulate', protocolVersion: PROTOCOL_VERSION, table: shared, model: p.model, args: p.args };
        const result = (await pool.run(task)) as SimulateTaskResult;
        onPoint?.(++done, points.length);
        return result.ok ? { model: p.model, args: p.args, stats: result.stats } : { model: p.model, args: p.args, error: result.error };
      }),
    );
  } finally {
    await pool.destroy();
  }
}
