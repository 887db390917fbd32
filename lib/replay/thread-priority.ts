import { readdirSync, readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** How many nice steps the threads that do not send are lowered by in an open-loop run. */
const LOWER_BY = 10;

/** The calling thread's kernel id (Linux), or undefined where threads have none to be found. */
export function currentThreadId(): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return undefined;
  }
}

/**
 * Keeps the threads that send an open loop's requests ahead of the process's others on a shared core:
 * once every sender has named its threads (`keep`), every other thread of the process (the master,
 * V8's compiler and collector helpers, libuv's pool) is lowered by LOWER_BY nice steps, so that the
 * scheduler hands a sender the core as soon as it wakes instead of after the running helper's slice.
 * Linux only (per-thread nice); elsewhere, and where the kernel refuses, nothing changes.
 */
export class SenderPriority {
  private readonly kept = new Set<number>();
  private reported = 0;
  private readonly lowered = new Map<number, number>();

  constructor(private readonly senders: number) {}

  /** One sender's threads (undefined ids are skipped); the last of them lowers the rest. */
  keep(threadIds: readonly (number | undefined)[]): void {
    for (const id of threadIds) if (id !== undefined) this.kept.add(id);
    if (++this.reported !== this.senders || process.platform !== 'linux') return;
    let tasks: string[];
    try {
      tasks = readdirSync('/proc/self/task');
    } catch {
      return;
    }
    for (const task of tasks) {
      const id = Number(task);
      if (this.kept.has(id) || this.lowered.has(id)) continue;
      try {
        const before = getPriority(id);
        setPriority(id, Math.min(19, before + LOWER_BY));
        this.lowered.set(id, before);
      } catch {
        // A thread that ended meanwhile, or a kernel that will not: it keeps its priority.
      }
    }
  }

  /** Gives the lowered threads their priority back where the kernel lets an unprivileged process. */
  restore(): void {
    for (const [id, before] of this.lowered) {
      try {
        setPriority(id, before);
      } catch {
        // Raising a priority again needs privilege (RLIMIT_NICE): the process ends with them lowered.
      }
    }
    this.lowered.clear();
  }
}
