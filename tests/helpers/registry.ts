import type { Test } from 'tap';
import { startLocalRegistry, type LocalRegistry, type LocalRegistryOptions } from '../../lib/registry/local.js';

/** Starts a real docker-registry for this test and stops it (by PID) when the test ends. */
export async function withRegistry(t: Test, options: LocalRegistryOptions = {}): Promise<LocalRegistry> {
  const registry = await startLocalRegistry(options);
  t.teardown(() => registry.stop());
  return registry;
}
