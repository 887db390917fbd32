import type { StringPool } from '../trace/string-pool.js';
import { HashRing } from './hash-ring.js';
import type { ReplayPlan } from './plan.js';

/** One worker's share of a replay: its rows (in due order) and the client actor of each. */
export interface Share {
  /** Plan rows, ascending (so in due order). */
  rows: Uint32Array;
  /** Local actor index of each row. */
  actor: Uint32Array;
  /** The traced client each local actor stands for (round robin: the first client it got). */
  actorNames: string[];
}

/**
 * Partitions the sendable rows of a plan over `workers`. route: one client actor per traced client,
 * placed on a worker by consistent hash of the client, so a client's requests stay together and in
 * order. round robin (route false, as the original): request i goes to actor i mod A, with A the
 * number of distinct clients, actors spread over workers in turn.
 */
export function partition(plan: ReplayPlan, clients: StringPool, workers: number, route: boolean): Share[] {
  const w = Math.max(1, workers);
  const sendable: number[] = [];
  for (let i = 0; i < plan.length; i++) if (plan.skip[i] === 0) sendable.push(i);
  const distinct = new Set<number>();
  for (const i of sendable) distinct.add(plan.client[i]);
  const actorsTotal = Math.max(1, distinct.size);
  const workerOf = new Int32Array(route ? clients.size : actorsTotal).fill(-1);
  const localOf = new Int32Array(workerOf.length).fill(-1);
  const builders = Array.from({ length: w }, () => ({ rows: [] as number[], actor: [] as number[], names: [] as string[] }));
  const ring = new HashRing(w);
  let next = 0;
  for (const i of sendable) {
    const key = route ? plan.client[i] : next++ % actorsTotal;
    if (workerOf[key] < 0) {
      workerOf[key] = route ? ring.node(clients.get(key)) : key % w;
      const b = builders[workerOf[key]];
      localOf[key] = b.names.length;
      b.names.push(clients.get(plan.client[i]));
    }
    const b = builders[workerOf[key]];
    b.rows.push(i);
    b.actor.push(localOf[key]);
  }
  return builders.map((b) => ({ rows: Uint32Array.from(b.rows), actor: Uint32Array.from(b.actor), actorNames: b.names }));
}
