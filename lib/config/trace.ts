import { loadTrace, type LoadedTrace, type LoadOptions, type TraceReadStats } from '../trace/load.js';
import { Method, type MethodCode } from '../trace/request.js';
import { selectRequests, type SelectionCounts } from '../trace/select.js';
import type { TraceTable } from '../trace/table.js';
import type { Config } from './types.js';

export interface ConfiguredTrace {
  /** The replayable requests, limited as configured, in time order. */
  table: TraceTable;
  stats: TraceReadStats;
  counts: SelectionCounts;
  /** The first URIs left out as unsendable, JSON-escaped. */
  invalidUris: string[];
  methods: readonly MethodCode[];
}

/** How traces are read: `loadTrace` on this thread, or the CLI's reader on worker threads. */
export type TraceLoader = (files: readonly string[], options: LoadOptions) => Promise<LoadedTrace>;

/** Reads the configuration's trace and selects what a job replays, with its filter and limit. */
export async function loadConfiguredTrace(
  config: Config,
  options: Pick<LoadOptions, 'onProgress' | 'exclude'> & { includeFailedByDefault?: boolean; load?: TraceLoader } = {},
): Promise<ConfiguredTrace> {
  const load = options.load ?? loadTrace;
  const { table, stats } = await load(config.trace.files, {
    strict: config.trace.strict,
    exclude: options.exclude,
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  const methods = config.trace.methods.map((m) => Method[m]);
  const includeFailed = config.trace.includeFailed ?? options.includeFailedByDefault ?? false;
  const selected = selectRequests(table, { methods, limit: config.trace.limit, includeFailed });
  return { table: selected.table, stats, counts: selected.counts, invalidUris: selected.invalidUris, methods };
}
