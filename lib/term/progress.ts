import type { Writable } from 'node:stream';

/** A clock, injected so tests can drive time. */
export type Now = () => number;

export interface ProgressOptions {
  /** What is counted, e.g. "records" or "MB". */
  unit: string;
  /** Formats amounts for display (default: integer with thousands separators). */
  format?: (n: number) => string;
  now?: Now;
  /** Smallest interval between redraws, ms. */
  intervalMs?: number;
}

/**
 * A live status line with rate and ETA, redrawn in place on a TTY and silent otherwise (so piped
 * output and logs stay clean). The final summary is the caller's to print.
 */
export class Progress {
  private readonly tty: boolean;
  private readonly now: Now;
  private readonly startedAt: number;
  private lastDraw = -Infinity;
  private drawn = false;

  constructor(
    private readonly stream: Writable & { isTTY?: boolean; columns?: number },
    private readonly label: string,
    private readonly options: ProgressOptions,
  ) {
    this.tty = stream.isTTY === true;
    this.now = options.now ?? (() => performance.now());
    this.startedAt = this.now();
  }

  /** Whether the line is drawn at all (on a TTY): callers can skip gathering what only it shows. */
  get live(): boolean {
    return this.tty;
  }

  /** Redraws the line (at most every `intervalMs`), with an optional extra, e.g. errors so far. */
  update(done: number, total?: number, extra?: string): void {
    if (!this.tty) return;
    const t = this.now();
    if (t - this.lastDraw < (this.options.intervalMs ?? 100)) return;
    this.lastDraw = t;
    this.stream.write(`\r\x1b[K${this.line(done, total, t)}${extra === undefined ? '' : `, ${extra}`}`);
    this.drawn = true;
  }

  /** The status line for `done` of `total` at time `t` (pure: for tests and final lines). */
  line(done: number, total: number | undefined, t = this.now()): string {
    const fmt = this.options.format ?? formatCount;
    const seconds = Math.max(1e-9, (t - this.startedAt) / 1000);
    const rate = done / seconds;
    let text = `${this.label}: ${fmt(done)}${total === undefined ? '' : ` / ${fmt(total)}`} ${this.options.unit}, ${fmt(rate)} ${this.options.unit}/s`;
    if (total !== undefined && total > 0) {
      const pct = Math.min(100, (100 * done) / total);
      text += `, ${pct.toFixed(1)}%`;
      if (rate > 0 && done < total) text += `, ETA ${formatDuration((total - done) / rate)}`;
    }
    return text;
  }

  /** Clears the live line. */
  stop(): void {
    if (this.tty && this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let u = 0;
  while (Math.abs(n) >= 1000 && u < units.length - 1) {
    n /= 1000;
    u++;
  }
  return `${u === 0 ? n.toFixed(0) : n.toFixed(1)} ${units[u]}`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
