import type { RegistryEntry } from '../registry/endpoint.js';
import type { Config } from './types.js';

const HIDDEN = '(hidden)';

/** A registry entry as it may be printed: a password given inline is replaced, everything else kept. */
function shownRegistry(entry: RegistryEntry): RegistryEntry {
  return typeof entry === 'string' || entry.password === undefined ? entry : { ...entry, password: HIDDEN };
}

/** The resolved configuration as it may be printed or logged: defaults applied, credentials hidden. */
export function shownConfig(config: Config): Config {
  return { ...config, registries: config.registries.map(shownRegistry) };
}
