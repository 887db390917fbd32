import type { Test } from 'tap';
import { startLocalRegistry, type LocalRegistry } from '../../lib/registry/local.js';

/** Starts a real docker-registry for this test and stops it (by PID) when the test ends. */
export async function withRegistry(t: Test): Promise<LocalRegistry> {
  const registry = await startLocalRegistry();
  t.teardown(() => registry.stop());
  return registry;
}
