import { withoutUserinfo, type RegistryEntry } from '../registry/endpoint.js';
import type { Config } from './types.js';

const HIDDEN = '(hidden)';

/** A registry entry as it may be printed: a password given inline, or in the URL, is replaced; everything else kept. */
function shownRegistry(entry: RegistryEntry): RegistryEntry {
  if (typeof entry === 'string') return withoutUserinfo(entry);
  const url = withoutUserinfo(entry.url);
  return entry.password === undefined ? { ...entry, url } : { ...entry, url, password: HIDDEN };
}

/** The resolved configuration as it may be printed or logged: defaults applied, credentials hidden. */
export function shownConfig(config: Config): Config {
  return { ...config, registries: config.registries.map(shownRegistry) };
}
