/**
 * The floor under drtp's HTTP path, shared by the load probe's `dispatch` (main thread) and
 * `dispatch-worker` (one worker thread, as drtp's client actors live) tools: `connections` loops of
 * undici `dispatch` with a counting handler, one Client (connection) each. Its undici is loaded as
 * drtp's workers load it (the dispatchers only), so that it stays a floor: a heap holding all of undici
 * costs more to collect.
 */
import { Client } from '../../lib/registry/undici.js';

export async function dispatchLoop(
  url: string,
  connections: number,
  requests: number,
): Promise<{ requests: number; errors: number }> {
  const target = new URL(url);
  let left = requests;
  let errors = 0;
  const options = { method: 'GET', path: `${target.pathname}${target.search}` } as const;
  const clients: Client[] = [];
  await Promise.all(
    Array.from({ length: connections }, () => {
      const client = new Client(target.origin);
      clients.push(client);
      return new Promise<void>((resolve) => {
        let status = 0;
        const handler = {
          onConnect(): void {},
          onHeaders(code: number): boolean {
            status = code;
            return true;
          },
          onData(): boolean {
            return true;
          },
          onComplete(): void {
            if (status !== 200) errors++;
            next();
          },
          onError(): void {
            errors++;
            next();
          },
        };
        const next = (): void => {
          if (left-- > 0) client.dispatch(options, handler as unknown as Parameters<Client['dispatch']>[1]);
          else resolve();
        };
        next();
      });
    }),
  );
  await Promise.all(clients.map((c) => c.close()));
  return { requests, errors };
}
