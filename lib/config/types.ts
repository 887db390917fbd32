import type { RegistryEntry } from '../registry/endpoint.js';
import type { TraceLimit } from '../trace/select.js';

/** The configuration as written: the shape schemas/config.schema.json allows (keys as in the file). */
export interface RawConfig {
  client_info?: { client_list?: string[]; port?: number; threads?: number; wait?: boolean; route?: boolean };
  verbose?: boolean;
  trace?: {
    location?: string;
    traces: string[];
    limit?: TraceLimit;
    output?: string;
    include_failed?: boolean;
    strict?: boolean;
  };
  registry?: RegistryEntry[];
  warmup?: { output?: string; threads?: number; random?: boolean; registries?: 'first' | 'all' };
  simulate?: { name: string; args?: Record<string, unknown> };
}

/** The configuration with every default applied and every path made absolute. */
export interface Config {
  /** Absolute path of the configuration file. */
  file: string;
  clientInfo: { clientList: string[]; threads: number; wait: boolean; route: boolean };
  verbose: boolean;
  trace: {
    /** Absolute paths, in the order given. */
    files: string[];
    limit: TraceLimit | undefined;
    output: string;
    includeFailed: boolean;
    strict: boolean;
  };
  registries: RegistryEntry[];
  warmup: { output: string | undefined; threads: number; random: boolean; registries: 'first' | 'all' };
  simulate: { name: string; args: Record<string, unknown> | undefined } | undefined;
}

/** One thing wrong with a configuration. */
export interface ConfigProblem {
  /** JSON pointer to the offending value, e.g. `/trace/limit/type` (`` for the whole document). */
  path: string;
  /** 1-based line in the file, where it can be found. */
  line?: number;
  message: string;
  /** What would be valid: allowed values, "did you mean". */
  hint?: string;
}
