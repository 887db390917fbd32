import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * `npm run bench -- summary`: the once-per-run CPU of building a 100,000-request run summary with
 * hdr-histogram-js, each measurement in a fresh process (cold, as a run builds it), against recording
 * the same requests into Recorders in that process. The median of 5.
 */
export async function runSummaryBench(): Promise<void> {
  const runs = Array.from({ length: 5 }, () =>
    execFileSync(process.execPath, [join(import.meta.dirname, 'summary-probe.js')], { encoding: 'utf8' })
      .trim()
      .split(' ')
      .map(Number),
  );
  const median = (k: number): number => runs.map((r) => r[k]).sort((a, b) => a - b)[2];
  const [record, summary] = [median(0), median(1)];
  process.stdout.write(`summary of 100,000 requests: ${summary.toFixed(0)} ms of CPU, once per run\n`);
  process.stdout.write(
    `recording them into Recorders (baseline): ${record.toFixed(0)} ms; ratio ${(summary / record).toFixed(2)}x\n`,
  );
}
