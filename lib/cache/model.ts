import { DrtpError } from '../errors.js';
import type { TraceTable } from '../trace/table.js';

/**
 * A cache or prefetch model replayed over a trace: the simulation counterpart of a registry. Models see
 * requests by row of a TraceTable (dense interned ids for objects, repositories and clients), so their
 * indexes can be typed arrays instead of hash maps.
 */
export interface CacheModel {
  /** Feeds request `row` (rows come in time order); true when the model served it from cache. */
  access(row: number): boolean;
  /** The model's counters, under the names its results are known by. */
  stats(): Record<string, number>;
  /**
   * Where the last request was served from: MEMORY or FS (the two-level cache's tiers), or MISS (the
   * backend). A simulated registry turns it into latency.
   */
  readonly lastTier: Tier;
}

export const TIER = { MISS: 0, MEMORY: 1, FS: 2 } as const;
export type Tier = (typeof TIER)[keyof typeof TIER];

/** Builds a model over `table` with its arguments (validated and defaulted by the factory). */
export type ModelFactory = (table: TraceTable, args: Record<string, unknown>) => CacheModel;

/** A numeric argument, or its default; wrong types are usage errors naming the argument. */
export function numberArg(args: Record<string, unknown>, name: string, fallback: number, model: string): number {
  const value = args[name] ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new DrtpError(
      'E_CONFIG',
      `${model}: argument ${name} must be a non-negative number, not ${JSON.stringify(value)}`,
      { path: '/simulate/args' },
    );
  }
  return value;
}
