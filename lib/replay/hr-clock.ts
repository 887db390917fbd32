/**
 * The process's monotonic clock in milliseconds: the same in every thread, where each thread's
 * performance.now() counts from its own start.
 */
export function hrMs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e3 + ns / 1e6;
}
