import { MODELS } from '../lib/cache/index.js';
import type { TraceTable } from '../lib/trace/table.js';
import { DrtpError } from '../lib/errors.js';

/** One point of a simulation: a model with its arguments, and what it counted. */
export interface SimulationPoint {
  model: string;
  args: Record<string, unknown>;
  stats: Record<string, number>;
}

/**
 * Replays the table through each named built-in model. (Sweeps over worker threads, user models and
 * the simulated-registry latency model come next; this runs the points one after another.)
 */
export function simulate(table: TraceTable, names: readonly string[], args: Record<string, unknown>): SimulationPoint[] {
  return names.map((model) => {
    const factory = MODELS[model];
    if (factory === undefined) throw new DrtpError('E_CONFIG', `simulate.name: no built-in model "${model}" (built-in: ${Object.keys(MODELS).join(', ')})`, { path: '/simulate/name' });
    let instance;
    try {
      instance = factory(table, args);
    } catch (err) {
      throw new DrtpError('E_CONFIG', `simulate.args: ${(err as Error).message}`, { path: '/simulate/args' });
    }
    for (let i = 0; i < table.length; i++) instance.access(i);
    return { model, args, stats: instance.stats() };
  });
}
