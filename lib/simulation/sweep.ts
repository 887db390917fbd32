import { MODEL_PARAMS } from '../cache/index.js';
import { resolveModel, type OriginalModel } from './model-name.js';
import type { PythonModelOptions } from './python-model.js';
import type { SimulatedReplay } from './simulated-registry.js';
import { DrtpError, type ErrorData } from '../errors.js';
import type { RunSummary } from '../stats/summary.js';

/** One point of a simulation: a model with its arguments, and what it counted (or why it failed). */
export interface SimulationPoint {
  model: string;
  args: Record<string, unknown> | undefined;
  stats?: unknown;
  /** As a registry (`simulate.latency`): the run summary it would have given. */
  summary?: RunSummary;
  error?: ErrorData;
  /** The original's shipped model (cache.py, prefetch.py) this point is part of. */
  original?: OriginalModel;
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
  /** Each point's model as a registry, replayed in virtual time (built-in models only). */
  registry?: SimulatedReplay;
  /** Python models: the interpreter and where their prints go. */
  python?: PythonModelOptions;
}

/** The original's prefetch.py ran these 16 (rtimeout, mtimeout) pairs, in this order. */
const ORIGINAL_TIMEOUTS = [600, 3600, 43200, 86400];

/**
 * Every point of a sweep: each model with each combination of the swept values. A built-in model takes
 * only its own arguments (so sweeping `capacity_gb` does not multiply the two-level points); a user's
 * module gets them all. An argument no model takes is an error listing the valid ones. Pure.
 */
export function sweepPoints(spec: SweepSpec): SweepPoint[] {
  const originals = spec.models.flatMap((name) => {
    const ref = resolveModel(name, spec.baseDir);
    return ref.kind === 'original' ? [originalPoints(ref.name, spec)] : [];
  });
  const models = spec.models.flatMap(
    (name): { name: string; model: string; params: readonly string[] | undefined }[] => {
      const ref = resolveModel(name, spec.baseDir);
      switch (ref.kind) {
        case 'builtin':
          return [{ name, model: name, params: MODEL_PARAMS[name] }];
        case 'module':
        case 'python':
          return [{ name, model: ref.path, params: undefined }];
        case 'original':
          return [];
        case 'problem':
          throw new DrtpError('E_CONFIG', `simulate.name: ${ref.message}`, { path: '/simulate/name' });
      }
    },
  );
  if (models.length === 0) return select(originals.flat(), spec.shard);
  const known = new Set(
    models.flatMap((m) => m.params ?? [...Object.keys(spec.args ?? {}), ...Object.keys(spec.sweep)]),
  );
  for (const key of [...Object.keys(spec.args ?? {}), ...Object.keys(spec.sweep)]) {
    if (!known.has(key))
      throw new DrtpError(
        'E_CONFIG',
        `simulate: no model takes the argument "${key}" (${models.map((m) => `${m.name}: ${(m.params ?? ['any']).join(', ')}`).join('; ')})`,
        { path: '/simulate/args' },
      );
  }
  const all = models.flatMap(({ model, params }) => {
    const takes = (key: string): boolean => params === undefined || params.includes(key);
    let combos: Record<string, unknown>[] = [{}];
    for (const [name, values] of Object.entries(spec.sweep))
      if (takes(name)) combos = combos.flatMap((c) => values.map((v) => ({ ...c, [name]: v })));
    const fixed =
      spec.args === undefined ? undefined : Object.fromEntries(Object.entries(spec.args).filter(([k]) => takes(k)));
    const swept = Object.keys(spec.sweep).some(takes);
    return combos.map((combo) => ({ model, args: swept || fixed !== undefined ? { ...fixed, ...combo } : undefined }));
  });
  return select([...originals.flat(), ...all], spec.shard);
}

/** A point of a sweep; `original` names the original's shipped model it stands for. */
export interface SweepPoint {
  model: string;
  args: Record<string, unknown> | undefined;
  original?: OriginalModel;
}

function select(points: SweepPoint[], shard: SweepSpec['shard']): SweepPoint[] {
  return shard === undefined ? points : points.filter((_, k) => k % shard.count === shard.index);
}

/**
 * The original's shipped models as drtp's built-ins: cache.py ran the two-level cache with file-system
 * tiers 10, 15 and 20 times the memory (layers of 100 MB or more straight to the file system), for
 * `cache_size` GB; prefetch.py ran the prefetcher at 16 timeout pairs, with its expiry calls commented
 * out (compat: original). Their required arguments are required here too.
 */
function originalPoints(name: OriginalModel, spec: SweepSpec): SweepPoint[] {
  const args = spec.args ?? {};
  if (name === 'cache.py') {
    if (typeof args.cache_size !== 'number')
      throw new DrtpError('E_CONFIG', "simulate: the original's cache.py needs simulate.args.cache_size (GB)", {
        path: '/simulate/args/cache_size',
      });
    return [10, 15, 20].map((fs) => ({
      model: 'two-level',
      args: { cache_size: args.cache_size, restrict_mb: 100, fs_multiplier: fs },
      original: name,
    }));
  }
  if (typeof args.outfile !== 'string')
    throw new DrtpError(
      'E_CONFIG',
      "simulate: the original's prefetch.py needs simulate.args.outfile (where its lines go)",
      { path: '/simulate/args/outfile' },
    );
  return ORIGINAL_TIMEOUTS.flatMap((rtimeout) =>
    ORIGINAL_TIMEOUTS.map((mtimeout) => ({
      model: 'prefetch',
      args: { rtimeout, mtimeout, compat: 'original' },
      original: name,
    })),
  );
}
