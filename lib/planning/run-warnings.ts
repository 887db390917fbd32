import { readFileSync } from 'node:fs';
import type { TraceTable } from '../trace/table.js';

/** How far the whole span may exceed the span of the middle 98% of requests before a timed replay warns. */
const STRETCH = 10;

/**
 * A warning when a few far-off timestamps (a 1970 or 2099 record) stretch a timed replay (`wait: true`)
 * far beyond the trace's bulk, or undefined. Pure: `table` is in time order.
 */
export function spanWarning(table: TraceTable, speed: number): string | undefined {
  const n = table.length;
  if (n < 100) return undefined;
  const whole = table.offsetMs(n - 1);
  const bulk = table.offsetMs(Math.floor(n * 0.99)) - table.offsetMs(Math.floor(n * 0.01));
  if (whole <= STRETCH * Math.max(bulk, 60_000)) return undefined;
  const at = (i: number): string => new Date(table.columns.time[i]).toISOString();
  return `the trace spans ${duration(whole)} (${at(0)} .. ${at(n - 1)}) but 98% of its requests fall within ${duration(bulk)}: a few records with far-off timestamps make this timed replay last ${duration(whole / speed)}; leave them out (trace.limit, or fix the records) or replay with client_info.wait: false`;
}

/**
 * A warning when the replay may open more connections than this process may hold files, or undefined:
 * each client actor holds up to `inFlight` connections per registry.
 */
export function connectionWarning(
  actors: number,
  inFlight: number,
  registries: number,
  openFileLimit: number | undefined,
): string | undefined {
  const connections = actors * inFlight * registries;
  if (openFileLimit === undefined || connections + 64 <= openFileLimit) return undefined;
  return `this replay may open up to ${connections.toLocaleString('en-US')} connections (${actors.toLocaleString('en-US')} clients x in_flight ${inFlight} x ${registries} registries), more than this process's limit of ${openFileLimit.toLocaleString('en-US')} open files: raise it (ulimit -n), lower client_info.in_flight, or shard the run; requests past the limit fail E_RESOURCE`;
}

/** The soft limit of open files of this process (Linux), or undefined. */
export function openFileLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'latin1')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    return soft === undefined || soft === 'unlimited' ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}

function duration(ms: number): string {
  const s = ms / 1000;
  if (s < 120) return `${s.toFixed(0)} s`;
  if (s < 7200) return `${(s / 60).toFixed(0)} min`;
  if (s < 3 * 86400) return `${(s / 3600).toFixed(1)} h`;
  if (s < 730 * 86400) return `${(s / 86400).toFixed(0)} days`;
  return `${(s / (365.25 * 86400)).toFixed(0)} years`;
}
