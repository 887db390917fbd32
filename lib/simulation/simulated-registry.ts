import { MODELS } from '../cache/index.js';
import { SimulatedRegistryPort } from './sim-port.js';
import type { LatencyModel } from '../contract/settings.js';
import { DrtpError } from '../errors.js';
import type { DigestMap } from '../registry/digest-map.js';
import { ReplayEngine } from '../replay/engine.js';
import { ReplayRouter } from '../planning/router.js';
import { VirtualTime } from '../replay/virtual-time.js';
import { buildSummary, type RunSummary } from '../stats/summary.js';
import type { TraceTable } from '../trace/table.js';

/** What a simulated registry's replay takes from the configuration (`client_info`, `seed`, `simulate.latency`). */
export interface SimulatedReplay {
  latency: LatencyModel;
  speed: number;
  inFlight: number;
  lateMs: number;
  seed: number;
}

/**
 * Replays the trace through the run engine with the registry swapped for a cache model and a latency
 * model, in virtual time: the same actors, in-flight bounds and open-loop timing as `drtp run`, and the
 * same summary, as that registry would have served the trace. Built-in models only.
 */
export async function simulateRegistry(
  table: TraceTable,
  replay: SimulatedReplay,
  model: string,
  args: Record<string, unknown>,
): Promise<RunSummary> {
  const { latency } = replay;
  const factory = MODELS[model];
  if (factory === undefined)
    throw new DrtpError('E_CONFIG', `simulate.latency needs a built-in model, not ${model}`, {
      path: '/simulate/latency',
    });
  const cache = factory(table, args);
  // Every request is sendable: reads name a pseudo digest, no registry holds anything.
  const map: DigestMap = new Map();
  for (let i = 0; i < table.length; i++) map.set(table.uri(i), 'sha256:simulated');
  const router = new ReplayRouter(table, map, {
    speed: replay.speed,
    registries: 1,
    selection: 'random',
    seed: replay.seed,
    workers: 1,
    route: true,
    segmentRows: 65_536,
    manifestsAsImages: false,
  });
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
    inFlight: replay.inFlight,
    lateMs: replay.lateMs,
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
