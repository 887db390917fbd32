import type { CompletionSink, RegistryPort, Segment } from '../contract/replay.js';
import { isHead, Op } from '../contract/ops.js';
import type { VirtualTime } from '../replay/virtual-time.js';
import { TIER, type CacheModel, type Tier } from '../cache/model.js';
import type { LatencyModel, TierLatency } from '../contract/settings.js';

export function tierLatency(model: LatencyModel, tier: Tier): TierLatency {
  return tier === TIER.MEMORY ? model.memory : tier === TIER.FS ? model.fs : model.backend;
}

/**
 * A registry made of a cache model and a latency model, for the replay engine in virtual time: each
 * request is served from the tier the cache model says (memory, file system, or the backend on a miss),
 * taking that tier's fixed time to the first byte plus its size at the tier's bandwidth. Requests do not
 * queue behind each other: it models a registry with spare capacity.
 */
export class SimulatedRegistryPort implements RegistryPort {
  constructor(
    private readonly model: CacheModel,
    private readonly latency: LatencyModel,
    private readonly clock: VirtualTime,
  ) {}

  start(row: number, segment: Segment, index: number, engine: CompletionSink): void {
    const op = segment.op[index];
    const bytes = isHead(op) ? 0 : segment.size[index];
    this.model.access(segment.rowId[index]);
    const t = tierLatency(this.latency, this.model.lastTier);
    const now = this.clock.now();
    const firstByte = now + t.fixed_ms;
    const done = firstByte + (bytes / (t.mb_per_s * 1e6)) * 1000;
    const status = op === Op.PUT_BLOB || op === Op.PUT_MANIFEST ? 201 : 200;
    this.clock.at(() => engine.complete(row, status, bytes, null, firstByte), done);
  }

  async close(): Promise<void> {}
}
