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
 * order. round robin (route false, as the original): the i-th sendable request goes to actor i mod A,
 * with A the number of distinct clients, actors spread over workers in turn. Two passes over typed
 * arrays (count, then fill): a few bytes a request, whatever the trace's length.
 */
export function partition(plan: ReplayPlan, clients: StringPool, workers: number, route: boolean): Share[] {
  const w = Math.max(1, workers);
  const seen = new Uint8Array(clients.size);
  let distinct = 0;
  for (let i = 0; i < plan.length; i++) {
    if (plan.skip[i] !== 0 || seen[plan.client[i]] !== 0) continue;
    seen[plan.client[i]] = 1;
    distinct++;
  }
  const actorsTotal = Math.max(1, distinct);
  const keys = route ? clients.size : actorsTotal;
  const workerOf = new Int32Array(keys).fill(-1);
  const localOf = new Int32Array(keys);
  const names: string[][] = Array.from({ length: w }, () => []);
  const counts = new Uint32Array(w);
  const ring = new HashRing(w);
  const keyOf = (i: number, nth: number): number => (route ? plan.client[i] : nth % actorsTotal);
  let nth = 0;
  for (let i = 0; i < plan.length; i++) {
    if (plan.skip[i] !== 0) continue;
    const key = keyOf(i, nth++);
    if (workerOf[key] < 0) {
      const worker = route ? ring.node(clients.get(key)) : key % w;
      workerOf[key] = worker;
      localOf[key] = names[worker].length;
      names[worker].push(clients.get(plan.client[i]));
    }
    counts[workerOf[key]]++;
  }
  const shares: Share[] = names.map((actorNames, k) => ({ rows: new Uint32Array(counts[k]), actor: new Uint32Array(counts[k]), actorNames }));
  const fill = new Uint32Array(w);
  nth = 0;
  for (let i = 0; i < plan.length; i++) {
    if (plan.skip[i] !== 0) continue;
    const key = keyOf(i, nth++);
    const worker = workerOf[key];
    const share = shares[worker];
    share.rows[fill[worker]] = i;
    share.actor[fill[worker]++] = localOf[key];
  }
  return shares;
}
