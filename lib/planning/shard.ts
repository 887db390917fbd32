import { DrtpError } from '../errors.js';
import { HashRing } from './hash-ring.js';

/** This process's part of a sharded job: shard `index` of `count` (0-based). */
export interface Shard {
  index: number;
  count: number;
}

/**
 * The shard from `--shard I/N`, else from a Kubernetes Indexed Job's environment (JOB_COMPLETION_INDEX,
 * with the shard count in JOB_COMPLETIONS, which the Job manifest sets), else undefined (no sharding).
 */
export function resolveShard(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Shard | undefined {
  let index: number;
  let count: number;
  let source: string;
  if (flag !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(flag.trim());
    if (m === null) throw new DrtpError('E_USAGE', `--shard must be I/N (shard I of N, counted from 0), not "${flag}"`);
    [index, count, source] = [Number(m[1]), Number(m[2]), '--shard'];
  } else if (env.JOB_COMPLETION_INDEX !== undefined) {
    if (env.JOB_COMPLETIONS === undefined)
      throw new DrtpError(
        'E_USAGE',
        "JOB_COMPLETION_INDEX is set but JOB_COMPLETIONS is not: set it to the Job's completions in the manifest",
      );
    [index, count, source] = [
      Number(env.JOB_COMPLETION_INDEX),
      Number(env.JOB_COMPLETIONS),
      'JOB_COMPLETION_INDEX/JOB_COMPLETIONS',
    ];
  } else return undefined;
  if (!Number.isInteger(index) || !Number.isInteger(count) || count < 1 || index < 0 || index >= count) {
    throw new DrtpError('E_USAGE', `${source}: shard ${index} of ${count} does not exist (0 <= I < N)`);
  }
  return { index, count };
}

/**
 * Whether `key` (a client, or a blob URI) belongs to the shard: a consistent hash of the key over the
 * shards, so shards are disjoint, together cover everything, and a client never spans two of them.
 */
export function shardFilter(shard: Shard): (key: string) => boolean {
  const ring = new HashRing(shard.count);
  return (key) => ring.node(key) === shard.index;
}

/** `results.ndjson` -> `results.shard-0-of-3.ndjson`: shards writing to one volume do not collide. */
export function shardPath(path: string, shard: Shard | undefined): string {
  if (shard === undefined) return path;
  const tag = `shard-${shard.index}-of-${shard.count}`;
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  return dot > slash + 1 ? `${path.slice(0, dot)}.${tag}${path.slice(dot)}` : `${path}.${tag}`;
}

/** `--start-at`: ISO time or epoch milliseconds. */
export function parseStartAt(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^\d+$/.test(value.trim()) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms))
    throw new DrtpError('E_USAGE', `--start-at must be an ISO time or epoch milliseconds, not "${value}"`);
  return ms;
}
