/**
 * Warmup worker entry: pushes its share of the blobs to one registry, `concurrency` at a time, and
 * reports every blob on the task's port. Imports only lib/ and the message types.
 */
import { DrtpError, isDrtpError } from '../lib/errors.js';
import { RegistryClient, clientOptions } from '../lib/registry/client.js';
import { generatedContent } from '../lib/registry/content.js';
import { PROTOCOL_VERSION, type ControlMessage, type PortDone, type WarmupReport, type WarmupTask, type WarmupTaskResult } from './messages.js';

export default async function warmupWorker(task: WarmupTask): Promise<WarmupTaskResult> {
  if (task.protocolVersion !== PROTOCOL_VERSION) throw new Error(`warmup worker speaks protocol ${PROTOCOL_VERSION}, got ${task.protocolVersion}`);
  const client = new RegistryClient(task.registry, clientOptions(task.timeoutMs, task.concurrency));
  const result: WarmupTaskResult = { pushed: 0, present: 0, failed: 0, bytes: 0, stopped: false };
  const registry = task.registry.name;
  task.port.on('message', (message: ControlMessage) => {
    if (message.type === 'stop') result.stopped = true;
  });
  const report = (r: WarmupReport): void => task.port.postMessage(r);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (!result.stopped && next < task.items.length) {
      const item = task.items[next++];
      try {
        const known = task.known[item.uri];
        if (known !== undefined && (await client.hasBlob(item.repo, known))) {
          result.present++;
          report({ type: 'present', uri: item.uri, digest: known, registry });
          continue;
        }
        const digest = await client.pushBlob(item.repo, generatedContent(item.uri, item.size, task.random));
        result.pushed++;
        result.bytes += item.size;
        report({ type: 'pushed', uri: item.uri, digest, bytes: item.size, registry });
      } catch (err) {
        result.failed++;
        const error = isDrtpError(err) ? err.toData() : new DrtpError('E_INTERNAL', String((err as Error)?.stack ?? err)).toData();
        report({ type: 'failed', uri: item.uri, error, registry });
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, task.concurrency) }, lane));
  } finally {
    await client.close();
    task.port.postMessage({ type: 'done' } satisfies PortDone);
    task.port.close();
  }
  return result;
}
