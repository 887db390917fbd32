import { isPushed, type DigestMap } from '../registry/digest-map.js';
import { Random } from '../trace/random.js';
import type { TraceTable } from '../trace/table.js';
import { isRead, opOf } from './classes.js';
import { HashRing } from './hash-ring.js';

export type RegistrySelection = 'random' | 'round-robin' | 'hash';

/** Why a request is not sent; 0 means it is. */
export const SKIP_REASONS = ['', 'not in the warmup map: run drtp warmup first', 'warmup failed for this URI', 'not a replayable request'] as const;

/** The replay in columns, one row per request of the (selected) trace, in due order. */
export interface ReplayPlan {
  length: number;
  /** Milliseconds after the replay's start at which the request is due (trace offset / speed). */
  due: Float64Array;
  op: Uint8Array;
  /** Traced size, bytes. */
  size: Float64Array;
  /** Trace client id (TraceTable pool). */
  client: Uint32Array;
  /** Chosen registry, an index into the configuration's registries. */
  registry: Uint8Array;
  /** Index into `digests` for reads; -1 for pushes and skipped requests. */
  digest: Int32Array;
  /** Index into SKIP_REASONS. */
  skip: Uint8Array;
  digests: string[];
  /** Warmup's failure reason per skipped row with skip = 2, by row. */
  warmupFailures: Map<number, string>;
}

export interface PlanOptions {
  speed: number;
  registries: number;
  selection: RegistrySelection;
  seed: number;
}

/**
 * Maps each request to what the replay does: reads need the digest warmup recorded for their URI (and
 * are skipped with the reason when there is none), pushes need nothing; each gets its registry.
 */
export function buildPlan(table: TraceTable, map: DigestMap, options: PlanOptions): ReplayPlan {
  const n = table.length;
  const plan: ReplayPlan = {
    length: n,
    due: new Float64Array(n),
    op: new Uint8Array(n),
    size: new Float64Array(n),
    client: new Uint32Array(n),
    registry: new Uint8Array(n),
    digest: new Int32Array(n).fill(-1),
    skip: new Uint8Array(n),
    digests: [],
    warmupFailures: new Map(),
  };
  const digestIds = new Map<string, number>();
  const rng = new Random(options.seed);
  const ring = options.selection === 'hash' ? new HashRing(options.registries) : undefined;
  const { method, kind, size, client } = table.columns;
  for (let i = 0; i < n; i++) {
    plan.due[i] = table.offsetMs(i) / options.speed;
    plan.size[i] = size[i];
    plan.client[i] = client[i];
    const op = opOf(method[i], kind[i]);
    if (op < 0) {
      plan.skip[i] = 3;
      continue;
    }
    plan.op[i] = op;
    let key = '';
    if (isRead(op)) {
      const uri = table.uri(i);
      const entry = map.get(uri);
      if (!isPushed(entry)) {
        plan.skip[i] = entry === undefined ? 1 : 2;
        if (entry !== undefined) plan.warmupFailures.set(i, entry.failed);
        continue;
      }
      let id = digestIds.get(entry);
      if (id === undefined) {
        id = plan.digests.length;
        plan.digests.push(entry);
        digestIds.set(entry, id);
      }
      plan.digest[i] = id;
      key = entry;
    } else key = table.uri(i);
    plan.registry[i] = pickRegistry(options, i, key, rng, ring);
  }
  return plan;
}

function pickRegistry(options: PlanOptions, i: number, key: string, rng: Random, ring: HashRing | undefined): number {
  if (options.registries <= 1) return 0;
  if (options.selection === 'round-robin') return i % options.registries;
  if (ring !== undefined) return ring.node(key);
  return rng.int(options.registries);
}
