import type { Timers } from './engine.js';

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
  private readonly heap: Event[] = [];

  now = (): number => this.t;

  at(fn: () => void, at: number): () => void {
    const event: Event = { at: Math.max(at, this.t), seq: this.seq++, fn, cancelled: false };
    this.push(event);
    return () => {
      event.cancelled = true;
    };
  }

  /** Runs every event in time order (ties in the order they were scheduled) until none is left. */
  runAll(): void {
    while (this.heap.length > 0) {
      const event = this.pop();
      if (event.cancelled) continue;
      this.t = event.at;
      event.fn();
    }
  }

  private before(a: Event, b: Event): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(e: Event): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private pop(): Event {
    const h = this.heap;
    const top = h[0];
    const last = h.pop() as Event;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.before(h[l], h[m])) m = l;
        if (r < h.length && this.before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}
