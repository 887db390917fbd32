import { performance } from 'node:perf_hooks';
import type { Timers } from '../contract/replay.js';
import { MAX_TIMER_MS } from './sleep.js';

/**
 * Real timers: setTimeout is only ~1 ms precise, so sleep to just before the due time, then poll with
 * setImmediate.
 */
export const REAL_TIMERS: Timers = {
  at(fn, at) {
    const wait = at - performance.now();
    if (wait > 2) {
      // Longer than setTimeout can wait: wake early, and the engine sets its timer again.
      const t = setTimeout(fn, Math.min(wait - 1.5, MAX_TIMER_MS));
      return () => clearTimeout(t);
    }
    const i = setImmediate(fn);
    return () => clearImmediate(i);
  },
};
