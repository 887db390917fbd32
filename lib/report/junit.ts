import { XMLBuilder } from 'fast-xml-parser';
import type { RunSummary, ThresholdVerdict } from '../stats/summary.js';
import { xmlSafe } from './xml-safe.js';

/** Why a threshold failed, as CI systems show a failed test's message. */
function failureMessage(v: ThresholdVerdict): string {
  if (v.aborted !== undefined)
    return `failed over the last ${v.aborted.windowSeconds} s (observed ${v.aborted.shown}): the run was stopped`;
  return `observed ${v.shown}`;
}

/**
 * A run's thresholds as JUnit XML: one test case per threshold, a failed threshold a failed test with
 * the observed value, so CI systems list them beside their other tests.
 */
export function junitXml(summary: RunSummary, suiteName: string): string {
  const verdicts = summary.thresholds ?? [];
  const failures = verdicts.filter((v) => !v.pass).length;
  const time = summary.durationSeconds.toFixed(3);
  const testcase = verdicts.map((v) => ({
    '@_classname': 'drtp.thresholds',
    '@_name': xmlSafe(v.threshold),
    '@_time': time,
    ...(v.pass
      ? { 'system-out': xmlSafe(`observed ${v.shown}`) }
      : {
          failure: {
            '@_type': 'threshold',
            '@_message': xmlSafe(failureMessage(v)),
            '#text': xmlSafe(`${v.threshold}: ${failureMessage(v)}`),
          },
        }),
  }));
  const document = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    testsuites: {
      '@_name': 'drtp',
      '@_tests': verdicts.length,
      '@_failures': failures,
      '@_time': time,
      testsuite: {
        '@_name': xmlSafe(suiteName),
        '@_tests': verdicts.length,
        '@_failures': failures,
        '@_errors': 0,
        '@_skipped': 0,
        '@_time': time,
        '@_timestamp': new Date(summary.span.startEpochMs).toISOString(),
        testcase,
      },
    },
  };
  const builder = new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    format: true,
    suppressEmptyNode: true,
  });
  return String(builder.build(document));
}
