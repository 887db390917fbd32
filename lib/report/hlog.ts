import * as hdr from 'hdr-histogram-js';
import { join } from 'node:path';
import { OP_NAMES } from '../contract/ops.js';
import { AtomicFile } from '../fsutil/atomic.js';
import { recordedSparse } from '../stats/histogram.js';
import type { SecondCounts } from '../replay/accounting.js';
import { Recorder } from '../stats/recorder.js';

/** `GET blob` -> `get-blob`: the file names of a class's logs. */
export const classSlug = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]+/g, '-');

const ALL = OP_NAMES.length;

/** One class's interval log: its temp file and the text its writer has made since the last write. */
interface ClassLog {
  name: string;
  file: AtomicFile;
  writer: hdr.HistogramLogWriter;
  buffered: string[];
  total: Recorder;
}

/**
 * HdrHistogram interval logs of a run's latency (from due time, µs): per request class and for all
 * requests, one histogram per second of the run, written with hdr-histogram-js's log writer as the
 * workers' seconds complete; at the end, each class's percentile distribution as wrk2 prints it (`.hgrm`).
 * Files are written atomically: they land with the run's results and summary.
 */
export class IntervalLogs {
  private readonly pending = new Map<number, Recorder[]>();
  private readonly logs: (ClassLog | undefined)[] = new Array(ALL + 1).fill(undefined);
  private writing: Promise<void> = Promise.resolve();
  private flushedBefore = 0;

  private constructor(
    private readonly dir: string,
    private readonly startEpochMs: number,
  ) {}

  static async create(dir: string, startEpochMs: number): Promise<IntervalLogs> {
    const logs = new IntervalLogs(dir, startEpochMs);
    await logs.open(ALL, 'all');
    return logs;
  }

  /** Counts of seconds a worker completed. */
  add(seconds: readonly SecondCounts[]): void {
    for (const { second, latency } of seconds) {
      let slots = this.pending.get(second);
      if (slots === undefined)
        this.pending.set(second, (slots = Array.from({ length: ALL + 1 }, () => new Recorder())));
      latency.forEach((pairs, op) => {
        if (pairs.length === 0) return;
        slots[op].addSparse(pairs);
        slots[ALL].addSparse(pairs);
      });
    }
  }

  /** Writes, in order, every second before `before` (every worker has completed them). */
  flushBefore(before: number): Promise<void> {
    if (before <= this.flushedBefore) return this.writing;
    this.flushedBefore = before;
    const seconds = [...this.pending.keys()].filter((s) => s < before).sort((a, b) => a - b);
    this.writing = this.writing.then(async () => {
      for (const second of seconds) {
        const slots = this.pending.get(second) as Recorder[];
        this.pending.delete(second);
        for (let k = 0; k <= ALL; k++) {
          const pairs = slots[k].sparse();
          if (pairs.length === 0) continue;
          const log = this.logs[k] ?? (await this.open(k, OP_NAMES[k]));
          log.total.addSparse(pairs);
          log.writer.outputIntervalHistogram(recordedSparse(pairs), second, second + 1, 1000);
        }
      }
      for (const log of this.logs)
        if (log !== undefined && log.buffered.length > 0) await log.file.write(log.buffered.splice(0).join(''));
    });
    return this.writing;
  }

  /** Writes what is left and the `.hgrm` files; the files to commit with the run's. */
  async finish(): Promise<AtomicFile[]> {
    await this.flushBefore(Infinity);
    const files: AtomicFile[] = [];
    for (const log of this.logs) {
      if (log === undefined) continue;
      files.push(log.file);
      const hgrm = await AtomicFile.create(join(this.dir, `${classSlug(log.name)}.hgrm`));
      await hgrm.write(recordedSparse(log.total.sparse()).outputPercentileDistribution(5, 1000));
      files.push(hgrm);
    }
    return files;
  }

  async abort(): Promise<void> {
    await this.writing.catch(() => undefined);
    await Promise.all(this.logs.map((log) => log?.file.abort()));
  }

  private async open(k: number, name: string): Promise<ClassLog> {
    const file = await AtomicFile.create(join(this.dir, `${classSlug(name)}.hlog`));
    const buffered: string[] = [];
    const writer = new hdr.HistogramLogWriter((text) => buffered.push(text));
    writer.outputLogFormatVersion();
    writer.outputComment(
      `drtp run: latency of ${name === 'all' ? 'all requests' : `${name} requests`} from their due time, one interval per second; values in µs, max in ms`,
    );
    writer.outputStartTime(this.startEpochMs);
    writer.outputLegend();
    const log = { name, file, writer, buffered, total: new Recorder() };
    this.logs[k] = log;
    return log;
  }
}
