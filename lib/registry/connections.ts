import type { Client } from './undici.js';
import { Stack } from '../stack.js';

/** One connection: an undici Client, how many requests it carries now, and the set it belongs to. */
export interface Connection {
  readonly client: Client;
  busy: number;
  readonly owner: ActorConnections;
}

/**
 * A client actor's connections to one registry: up to `size` undici Clients, one connection each,
 * opened as the actor needs them, like the connections of one docker client. It is the actor's pool
 * without undici's Pool on top: the replay engine already keeps the actor within its bound of
 * requests in flight, so a Pool's queue and balancing never act, while its per-request work (finding
 * a client, drain events) costs on every request.
 */
export class ActorConnections {
  private readonly all: Connection[] = [];
  private readonly idle = new Stack<Connection>();
  private next = 0;

  constructor(
    private readonly size: number,
    private readonly open: () => Client,
  ) {}

  /**
   * A connection for one request: an idle one, else a new one while under `size`, else (a retry
   * while the first attempt still reads its answer) a busy one, whose Client queues the request.
   */
  acquire(): Connection {
    let c = this.idle.pop();
    if (c === undefined) {
      if (this.all.length < this.size) this.all.push((c = { client: this.open(), busy: 0, owner: this }));
      else c = this.all[this.next++ % this.all.length];
    }
    c.busy++;
    return c;
  }

  /** `c` (acquired from this set) carries one request fewer. */
  release(c: Connection): void {
    if (--c.busy === 0) this.idle.push(c);
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((c) => c.client.close()));
  }
}
