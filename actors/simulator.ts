/**
 * Simulator worker entry: one point of a sweep. Opens the shared trace table (no copy), runs a built-in
 * model or a user's module over it, and returns its stats, or the error as data (a throwing model does
 * not stop the sweep). Imports only lib/ and the message types.
 */
import { MODELS } from '../lib/cache/index.js';
import { simulateRegistry } from '../lib/cache/simulated-registry.js';
import { runUserModel } from '../lib/cache/user-model.js';
import { isDrtpError } from '../lib/errors.js';
import { openSharedTable } from '../lib/trace/shared-table.js';
import { PROTOCOL_VERSION, type SimulateTask, type SimulateTaskResult } from './messages.js';

export default async function simulatorWorker(task: SimulateTask): Promise<SimulateTaskResult> {
  if (task.protocolVersion !== PROTOCOL_VERSION) throw new Error(`simulator speaks protocol ${PROTOCOL_VERSION}, got ${task.protocolVersion}`);
  const table = openSharedTable(task.table);
  try {
    const factory = MODELS[task.model];
    if (task.registry !== undefined) {
      const summary = await simulateRegistry(table, task.registry, task.model, task.args ?? {});
      return { ok: true, stats: summary.meta.cache, summary };
    }
    if (factory === undefined) return { ok: true, stats: await runUserModel(task.model, table, task.args) };
    const model = factory(table, task.args ?? {});
    for (let i = 0; i < table.length; i++) model.access(i);
    return { ok: true, stats: model.stats() };
  } catch (err) {
    return { ok: false, error: isDrtpError(err) ? err.toData() : { code: 'E_CONFIG', message: String((err as Error)?.message ?? err) } };
  }
}
