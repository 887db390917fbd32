import type { LatencyModel, ProtocolSetting, RegistrySelection, TierLatency } from '../contract/settings.js';
import type { RegistryEntry } from '../registry/endpoint.js';
import type { TraceLimit } from '../trace/select.js';
import type { Threshold } from '../thresholds/expression.js';

/** The configuration as written: the shape schemas/config.schema.json allows (keys as in the file). */
export interface RawConfig {
  client_info?: {
    client_list?: string[];
    port?: number;
    threads?: number;
    wait?: boolean;
    route?: boolean;
    speed?: number;
    in_flight?: number;
    late_ms?: number;
    timeout_ms?: number;
    deadline_ms?: number;
    verify_digests?: boolean;
    check_sizes?: boolean;
    protocol?: ProtocolSetting;
    user_agent?: string;
  };
  verbose?: boolean;
  trace?: {
    location?: string;
    traces: string[];
    limit?: TraceLimit;
    output?: string;
    include_failed?: boolean;
    strict?: boolean;
    methods?: ('GET' | 'PUT' | 'HEAD')[];
  };
  registry?: RegistryEntry[];
  registry_selection?: RegistrySelection;
  seed?: number;
  thresholds?: (string | { threshold: string; abort_on_fail?: boolean; window_s?: number })[];
  warmup?: {
    output?: string;
    threads?: number;
    random?: boolean;
    registries?: 'first' | 'all';
    manifests?: 'blob' | 'image';
  };
  simulate?: {
    name?: string | string[];
    python?: string;
    args?: Record<string, unknown>;
    sweep?: Record<string, unknown[]>;
    latency?: Partial<Record<'memory' | 'fs' | 'backend', Partial<TierLatency>>>;
    mrc?: { rate?: number; sizes_gb?: number[]; points?: number };
  };
}

/** The configuration with every default applied and every path made absolute. */
export interface Config {
  /** Absolute path of the configuration file. */
  file: string;
  clientInfo: {
    clientList: string[];
    threads: number;
    wait: boolean;
    route: boolean;
    speed: number;
    inFlight: number;
    lateMs: number;
    timeoutMs: number;
    deadlineMs?: number;
    verifyDigests: boolean;
    checkSizes: boolean;
    protocol: ProtocolSetting;
    userAgent: string;
  };
  verbose: boolean;
  trace: {
    /** Absolute paths, in the order given. */
    files: string[];
    limit: TraceLimit | undefined;
    output: string;
    /** Unset means the job's default: run leaves failures out, simulate keeps them (as the original). */
    includeFailed: boolean | undefined;
    strict: boolean;
    methods: ('GET' | 'PUT' | 'HEAD')[];
  };
  registries: RegistryEntry[];
  registrySelection: RegistrySelection;
  seed: number;
  thresholds: ConfiguredThreshold[];
  warmup: {
    output: string | undefined;
    threads: number;
    random: boolean;
    registries: 'first' | 'all';
    manifests: 'blob' | 'image';
  };
  simulate:
    | {
        names: string[];
        python: string | undefined;
        args: Record<string, unknown> | undefined;
        sweep: Record<string, unknown[]>;
        latency: LatencyModel | undefined;
        mrc: MrcConfig | undefined;
      }
    | undefined;
}

/** `simulate.mrc`: the LRU miss-ratio curve, exact (rate 1) or sampled; at `sizes` (bytes), or at `points` log-spaced sizes. */
export interface MrcConfig {
  rate: number;
  sizes: number[] | undefined;
  points: number;
}

/** A threshold of the configuration (or of `--threshold`), parsed. */
export interface ConfiguredThreshold {
  threshold: Threshold;
  /** Stop the run when it fails over the last `windowSeconds`. */
  abortOnFail: boolean;
  windowSeconds: number;
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
