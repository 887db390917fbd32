import { performance } from 'node:perf_hooks';

/** The longest delay setTimeout honours (2^31 - 1 ms, ~24.8 days): a longer one fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Resolves at `at` (performance.now() time), or as soon as `signal` aborts: a wait of any length, in
 * steps setTimeout can take.
 */
export async function sleepUntil(at: number, signal?: AbortSignal): Promise<void> {
  while (signal?.aborted !== true) {
    const wait = at - performance.now();
    if (wait <= 0) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.min(wait, MAX_TIMER_MS));
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
