/**
 * The undici dispatchers drtp's client workers use (Client, Pool, Agent, with the request API on
 * their prototype, and the connector they dial with), loaded without the rest of the package. undici's entry module loads everything it
 * offers (fetch, WebSocket, caches, mocks, proxies): every worker would pay for it at start-up, and its
 * larger heap pushed large bodies' socket buffers into full collections (docs/performance.md).
 *
 * The classes are undici's own (the same module instances the entry exports, not copies), and the
 * request API is put on Dispatcher's prototype exactly as the entry does. An undici whose files are laid
 * out differently is loaded whole instead: slower to start, the same behaviour.
 */
import { createRequire } from 'node:module';
import type * as Undici from 'undici';

interface Dispatchers {
  Agent: typeof Undici.Agent;
  Client: typeof Undici.Client;
  Pool: typeof Undici.Pool;
  buildConnector: typeof Undici.buildConnector;
}

function load(): Dispatchers {
  const require = createRequire(import.meta.url);
  try {
    const api = require('undici/lib/api/index.js') as object;
    const dispatcher = require('undici/lib/dispatcher/dispatcher.js') as { prototype: object };
    Object.assign(dispatcher.prototype, api);
    return {
      Agent: require('undici/lib/dispatcher/agent.js') as typeof Undici.Agent,
      Client: require('undici/lib/dispatcher/client.js') as typeof Undici.Client,
      Pool: require('undici/lib/dispatcher/pool.js') as typeof Undici.Pool,
      buildConnector: require('undici/lib/core/connect.js') as typeof Undici.buildConnector,
    };
  } catch {
    return require('undici') as typeof Undici;
  }
}

const dispatchers = load();

export const Agent = dispatchers.Agent;
export type Agent = Undici.Agent;
export const Client = dispatchers.Client;
export type Client = Undici.Client;
export const Pool = dispatchers.Pool;
export type Pool = Undici.Pool;
export const buildConnector = dispatchers.buildConnector;
