/**
 * Settings the configuration names and the jobs act on, shared by config/ and the folders that act on
 * them (planning/, registry/, simulation/). A leaf module: it imports nothing of drtp.
 */

/** `registry_selection`: how a request picks among several registries. */
export type RegistrySelection = 'random' | 'round-robin' | 'hash';

/** `client_info.protocol`: what the configuration asks for. */
export type ProtocolSetting = 'auto' | 'h1' | 'h2';
/** What the requests to one registry go out as, once a job has settled it. */
export type HttpVersion = 'h1' | 'h2';

/** One tier of the simulated registry (`simulate.latency`): time to the first byte, then bandwidth. */
export interface TierLatency {
  fixed_ms: number;
  mb_per_s: number;
}

export interface LatencyModel {
  memory: TierLatency;
  fs: TierLatency;
  backend: TierLatency;
}

export const DEFAULT_LATENCY: LatencyModel = {
  memory: { fixed_ms: 0.2, mb_per_s: 5000 },
  fs: { fixed_ms: 1, mb_per_s: 500 },
  backend: { fixed_ms: 20, mb_per_s: 100 },
};
