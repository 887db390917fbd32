import { MODELS } from '../lib/cache/index.js';
import { SimulatedRegistryPort, type LatencyModel } from '../lib/cache/sim-port.js';
import type { Config } from '../lib/config/types.js';
import { DrtpError } from '../lib/errors.js';
import type { DigestMap } from '../lib/registry/digest-map.js';
import { ReplayEngine } from '../lib/schedule/engine.js';
import { ReplayRouter } from '../lib/schedule/router.js';
import { VirtualTime } from '../lib/schedule/virtual-time.js';
import { buildSummary, type RunSummary } from '../lib/stats/summary.js';
import type { TraceTable } from '../lib/trace/table.js';

/**
 * Replays the trace through the run engine with the registry swapped for a cache model and a latency
 * model, in virtual time: the same actors, in-flight bounds and open-loop timing as `drtp run`, and the
 * same summary, as that registry would have served the trace. Built-in models only.
 */
export async function simulateRegistry(table: TraceTable, config: Config, model: string, args: Record<string, unknown>, latency: LatencyModel): Promise<RunSummary> {
  const factory = MODELS[model];
  if (factory === undefined) throw new DrtpError('E_CONFIG', `simulate.latency needs a built-in model, not ${model}`, { path: '/simulate/latency' });
  const cache = factory(table, args);
  // Every request is sendable: reads name a pseudo digest, no registry holds anything.
  const map: DigestMap = new Map();
  for (let i = 0; i < table.length; i++) map.set(table.uri(i), 'sha256:simulated');
  const router = new ReplayRouter(table, map, { speed: config.clientInfo.speed, registries: 1, selection: 'random', seed: config.seed, workers: 1, route: true, segmentRows: 65_536, manifestsAsImages: false });
  const clock = new VirtualTime();
  let engine: ReplayEngine | undefined;
  const feed = (): void => {
    const batch = router.nextSegment(0);
    const e = engine as ReplayEngine;
    e.addActors(router.actorsOf(0));
    if (batch.segment === null) e.end();
    else e.append(batch.segment);
  };
  engine = new ReplayEngine(new SimulatedRegistryPort(cache, latency, clock), {
    wait: true,
    inFlight: config.clientInfo.inFlight,
    lateMs: config.clientInfo.lateMs,
    actors: router.actorsOf(0),
    registries: 1,
    startAt: 0,
    now: clock.now,
    timers: clock,
    lowWater: 32_768,
    // As its own event: appending from inside the engine's tick would re-enter it.
    onNeedRows: () => void clock.at(feed, clock.now()),
  });
  feed();
  const done = engine.run();
  clock.runAll();
  const report = await done;
  return buildSummary(report, {}, ['simulated'], { model, args, latency, cache: cache.stats() }, 0);
}
