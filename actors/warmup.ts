/**
 * Warmup worker entry: pushes its share of the blobs to one registry, `concurrency` at a time, and
 * reports every blob to the master. Imports only lib/, the runtime and the message types.
 */
import { DrtpError, isDrtpError } from '../lib/errors.js';
import { RegistryClient, clientOptions } from '../lib/registry/client.js';
import { generatedContent } from '../lib/registry/content.js';
import type { WarmupMaster, WarmupReport, WarmupTask, WarmupTaskResult } from './messages.js';
import { actorEntry } from './runtime.js';

export default actorEntry<WarmupTask, WarmupTaskResult, WarmupMaster>(async (task, { master, expose }) => {
  const client = new RegistryClient(task.registry, clientOptions(task.timeoutMs, task.concurrency));
  const result: WarmupTaskResult = { pushed: 0, present: 0, failed: 0, bytes: 0, stopped: false };
  const registry = task.registry.name;
  expose({ stop: () => void (result.stopped = true) });
  // Awaited: every blob is in the master's map before the task ends.
  const report = (r: WarmupReport): Promise<void> => master.blob(r);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (!result.stopped && next < task.items.length) {
      const item = task.items[next++];
      try {
        const known = task.known[item.uri];
        if (known !== undefined && (await client.hasBlob(item.repo, known))) {
          result.present++;
          await report({ type: 'present', uri: item.uri, digest: known, registry });
          continue;
        }
        const digest = await client.pushBlob(item.repo, generatedContent(item.uri, item.size, task.random));
        result.pushed++;
        result.bytes += item.size;
        await report({ type: 'pushed', uri: item.uri, digest, bytes: item.size, registry });
      } catch (err) {
        result.failed++;
        const error = isDrtpError(err) ? err.toData() : new DrtpError('E_INTERNAL', String((err as Error)?.stack ?? err)).toData();
        await report({ type: 'failed', uri: item.uri, error, registry });
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, task.concurrency) }, lane));
  } finally {
    await client.close();
  }
  return result;
});
