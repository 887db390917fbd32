import { MinHeap } from '../min-heap.js';
import type { Timers } from '../contract/replay.js';

interface Event {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A virtual clock with an event queue: the replay engine runs on it unchanged (its timers and clock
 * injected), so a simulated registry replays a day of trace in the time its events take to compute.
 */
export class VirtualTime implements Timers {
  private t = 0;
  private seq = 0;
  private readonly heap = new MinHeap<Event>((a, b) => a.at < b.at || (a.at === b.at && a.seq < b.seq));

  now = (): number => this.t;

  at(fn: () => void, at: number): () => void {
    const event: Event = { at: Math.max(at, this.t), seq: this.seq++, fn, cancelled: false };
    this.heap.push(event);
    return () => {
      event.cancelled = true;
    };
  }

  /** Runs every event in time order (ties in the order they were scheduled) until none is left. */
  runAll(): void {
    while (this.heap.size > 0) {
      const event = this.heap.pop();
      if (event.cancelled) continue;
      this.t = event.at;
      event.fn();
    }
  }
}
