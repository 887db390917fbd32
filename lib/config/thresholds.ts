import { DrtpError } from '../errors.js';
import { isThresholdProblem, parseThreshold, type Threshold, type ThresholdProblem } from '../thresholds/expression.js';
import type { ConfigProblem, ConfiguredThreshold, RawConfig } from './types.js';

type RawThreshold = NonNullable<RawConfig['thresholds']>[number];

const DEFAULT_WINDOW_SECONDS = 10;

/** What a live (abort_on_fail) threshold can be computed from: the run's totals as they go. */
function liveProblem(t: Threshold): ThresholdProblem | undefined {
  const latency = t.metric.kind === 'duration' && t.metric.of === 'latency';
  if (
    t.scope.kind === 'all' &&
    (latency || t.metric.kind === 'failed_rate' || t.metric.kind === 'failed' || t.metric.kind === 'requests')
  )
    return undefined;
  return {
    message: `abort_on_fail cannot watch ${t.source} as the run goes`,
    hint: 'watch scope all with failed_rate, failed, requests or latency (p99, mean, max, ...)',
  };
}

function parseEntry(
  entry: RawThreshold,
):
  | { threshold: Threshold; abortOnFail: boolean; windowSeconds: number; pointer: string }
  | (ThresholdProblem & { pointer: string }) {
  const text = typeof entry === 'string' ? entry : entry.threshold;
  const pointer = typeof entry === 'string' ? '' : '/threshold';
  const parsed = parseThreshold(text);
  if (isThresholdProblem(parsed)) return { ...parsed, pointer };
  const abortOnFail = typeof entry !== 'string' && entry.abort_on_fail === true;
  if (abortOnFail) {
    const problem = liveProblem(parsed);
    if (problem !== undefined) return { ...problem, pointer: '/abort_on_fail' };
  }
  return {
    threshold: parsed,
    abortOnFail,
    windowSeconds: (typeof entry === 'string' ? undefined : entry.window_s) ?? DEFAULT_WINDOW_SECONDS,
    pointer,
  };
}

/** Every threshold of the configuration that is not one, at its JSON pointer. */
export function thresholdProblems(entries: RawConfig['thresholds']): ConfigProblem[] {
  return (entries ?? []).flatMap((entry, i) => {
    const parsed = parseEntry(entry);
    return 'message' in parsed
      ? [{ path: `/thresholds/${i}${parsed.pointer}`, message: parsed.message, hint: parsed.hint }]
      : [];
  });
}

/** The configuration's thresholds, parsed (checked already by `thresholdProblems`). */
export function resolveThresholds(entries: RawConfig['thresholds']): ConfiguredThreshold[] {
  return (entries ?? []).map((entry, i) => {
    const parsed = parseEntry(entry);
    if ('message' in parsed)
      throw new DrtpError('E_CONFIG', `/thresholds/${i}: ${parsed.message} (${parsed.hint})`, {
        path: `/thresholds/${i}`,
      });
    return { threshold: parsed.threshold, abortOnFail: parsed.abortOnFail, windowSeconds: parsed.windowSeconds };
  });
}

/** Thresholds given with `--threshold` (evaluated at the end; abort_on_fail is the configuration's). */
export function commandLineThresholds(expressions: readonly string[]): ConfiguredThreshold[] {
  return expressions.map((text) => {
    const parsed = parseThreshold(text);
    if (isThresholdProblem(parsed))
      throw new DrtpError('E_USAGE', `--threshold ${JSON.stringify(text)}: ${parsed.message} (${parsed.hint})`);
    return { threshold: parsed, abortOnFail: false, windowSeconds: DEFAULT_WINDOW_SECONDS };
  });
}
