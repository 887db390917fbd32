/**
 * Simulator worker entry: one point of a sweep. Opens the shared trace table (no copy) and runs a
 * built-in model or a user's module over it, or, with `registry`, the model as a registry in virtual
 * time. Imports only lib/, the runtime and the message types; the registry's summary (hdr-histogram-js)
 * and the user models' runners load only for the points that need them, so a sweep of built-in models
 * starts its workers without them.
 */
import { MODELS } from '../lib/cache/index.js';
import { DrtpError, isDrtpError } from '../lib/errors.js';
import { openSharedTable } from '../lib/trace/shared-table.js';
import type { Protocols } from './messages.js';
import { actorEntry } from './runtime.js';

export default actorEntry<Protocols['simulator']>(async (task) => {
  const table = openSharedTable(task.table);
  const factory = MODELS[task.model];
  if (task.registry !== undefined) {
    const { simulateRegistry } = await import('../lib/simulation/simulated-registry.js');
    const summary = await simulateRegistry(table, task.registry, task.model, task.args ?? {});
    return { stats: summary.meta.cache, summary };
  }
  if (factory === undefined) {
    try {
      const stats = task.model.endsWith('.py')
        ? await (
            await import('../lib/simulation/python-model.js')
          ).runPythonModel(task.model, table, task.args, task.python)
        : await (await import('../lib/simulation/user-model.js')).runUserModel(task.model, table, task.args);
      return { stats };
    } catch (err) {
      // A user's model that throws is the configuration's problem, not a bug in drtp.
      throw isDrtpError(err) ? err : new DrtpError('E_CONFIG', String((err as Error)?.message ?? err));
    }
  }
  const model = factory(table, task.args ?? {});
  for (let i = 0; i < table.length; i++) model.access(i);
  return { stats: model.stats() };
});
