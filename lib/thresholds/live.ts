import { recordedSparse } from '../stats/histogram.js';
import { Recorder } from '../stats/recorder.js';
import { compare, durationStat } from './evaluate.js';
import { formatMetricValue, type Threshold } from './expression.js';

/** A run's totals at one moment, and the latency counts that finished since the previous one. */
interface Mark {
  atMs: number;
  ok: number;
  failed: number;
  interval: Float64Array;
}

export interface LiveFailure {
  threshold: Threshold;
  windowSeconds: number;
  shown: string;
}

/**
 * Watches `abort_on_fail` thresholds over a sliding window of the run's progress: the requests done in
 * the last `windowSeconds` and their latency. A threshold is judged once the run has gone a full window,
 * so that the first failed request of a run is not a 100% failure rate.
 */
export class LiveThresholds {
  private readonly marks: Mark[] = [];
  private readonly longestMs: number;

  constructor(private readonly watched: readonly { threshold: Threshold; windowSeconds: number }[]) {
    this.longestMs = Math.max(0, ...watched.map((w) => w.windowSeconds * 1000));
  }

  get empty(): boolean {
    return this.watched.length === 0;
  }

  /** Adds the run's totals at `atMs` and the latency counts since the last call; the first threshold that fails, if any. */
  update(atMs: number, ok: number, failed: number, interval: Float64Array): LiveFailure | undefined {
    this.marks.push({ atMs, ok, failed, interval });
    // Keep one mark at or before the longest window's start: the base the window's counts subtract.
    while (this.marks.length > 2 && this.marks[1].atMs <= atMs - this.longestMs) this.marks.shift();
    for (const w of this.watched) {
      const failure = this.judge(w.threshold, w.windowSeconds * 1000, atMs);
      if (failure !== undefined) return { threshold: w.threshold, windowSeconds: w.windowSeconds, shown: failure };
    }
    return undefined;
  }

  /** The observed value, shown, when the threshold fails over the window ending at `nowMs`. */
  private judge(t: Threshold, windowMs: number, nowMs: number): string | undefined {
    const first = this.marks[0];
    if (nowMs - first.atMs < windowMs) return undefined;
    let base = 0;
    while (base + 1 < this.marks.length && this.marks[base + 1].atMs <= nowMs - windowMs) base++;
    const last = this.marks[this.marks.length - 1];
    const ok = last.ok - this.marks[base].ok;
    const failed = last.failed - this.marks[base].failed;
    let observed: number;
    switch (t.metric.kind) {
      case 'requests':
        observed = ok + failed;
        break;
      case 'failed':
        observed = failed;
        break;
      case 'failed_rate':
        if (ok + failed === 0) return undefined;
        observed = failed / (ok + failed);
        break;
      case 'duration': {
        const counts = new Recorder();
        for (let k = base + 1; k < this.marks.length; k++) counts.addSparse(this.marks[k].interval);
        const sparse = counts.sparse();
        if (sparse.length === 0) return undefined;
        observed = durationStat(recordedSparse(sparse), t.metric);
        break;
      }
      default:
        return undefined;
    }
    return compare(observed, t.comparison, t.value) ? undefined : formatMetricValue(t, observed);
  }
}
