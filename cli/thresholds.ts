import { AtomicFile } from '../lib/fsutil/atomic.js';
import { junitXml } from '../lib/report/junit.js';
import type { RunSummary } from '../lib/stats/summary.js';

/** The exit status of a run or merge that missed a threshold, as k6's. */
export const THRESHOLDS_FAILED = 99;

/**
 * Writes the thresholds as JUnit XML when asked (atomically, like every output) and gives the exit
 * status they call for: 99 when one failed, after saying which on stderr.
 */
export async function thresholdsOutcome(
  summary: RunSummary,
  junitFile: string | undefined,
  suiteName: string,
  stderr: NodeJS.WritableStream,
): Promise<number> {
  if (junitFile !== undefined) {
    const file = await AtomicFile.create(junitFile);
    await file.write(junitXml(summary, suiteName));
    await file.commit();
  }
  const failed = (summary.thresholds ?? []).filter((v) => !v.pass);
  if (failed.length === 0) return 0;
  stderr.write(
    `drtp: ${failed.length} of ${summary.thresholds?.length} thresholds failed: ${failed.map((v) => `${v.threshold} (${v.aborted === undefined ? v.shown : `${v.aborted.shown} over ${v.aborted.windowSeconds} s`})`).join('; ')}\n`,
  );
  return THRESHOLDS_FAILED;
}
