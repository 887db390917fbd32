/**
 * Warmup worker entry: pushes its share of the blobs to one registry, `concurrency` at a time, and
 * reports every blob to the master. Imports only lib/, the runtime and the message types.
 */
import { DrtpError, isDrtpError } from '../lib/errors.js';
import { RegistryClient, clientOptions } from '../lib/registry/client.js';
import { digestOf, generatedContent } from '../lib/registry/content.js';
import { layerArchive } from '../lib/registry/layer-archive.js';
import { STOP_GRACE_MS, requestDeadlineMs } from '../lib/registry/deadline.js';
import type { LayerShape, WarmupReport, WarmupTaskResult, Protocols } from './messages.js';
import { actorEntry } from './runtime.js';

export default actorEntry<Protocols['warmup']>(async (task, { master, expose }) => {
  const client = new RegistryClient(task.registry, clientOptions(task.timeoutMs, task.concurrency));
  const result: WarmupTaskResult = { pushed: 0, present: 0, failed: 0, bytes: 0, stopped: false };
  const registry = task.registry.name;
  // A stop lets the pushes in flight finish for a while, then cuts them off: a stop always ends.
  const cutOff = new AbortController();
  let grace: NodeJS.Timeout | undefined;
  expose({
    stop: () => {
      result.stopped = true;
      grace ??= setTimeout(() => cutOff.abort(), STOP_GRACE_MS);
    },
  });
  // Awaited: every blob is in the master's map before the task ends.
  const report = (r: WarmupReport): Promise<void> => master.blob(r);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (!result.stopped && next < task.items.length) {
      const item = task.items[next++];
      try {
        const archive = task.archives ? layerArchive(item.uri, item.size) : null;
        const content = archive ?? generatedContent(item.uri, item.size, task.random);
        const known = task.known[item.uri];
        // An archive is other content than a blob of the same URI: a digest an earlier warmup recorded
        // counts only if it is the archive's (hashing it also yields its diff_id).
        const shape = (digest: string): LayerShape | undefined =>
          task.archives ? { archive: archive !== null, diffId: archive?.diffId() ?? digest } : undefined;
        if (
          known !== undefined &&
          (archive === null || digestOf(archive) === known) &&
          (await client.hasBlob(item.repo, known))
        ) {
          result.present++;
          await report({ type: 'present', uri: item.uri, digest: known, registry, layer: shape(known) });
          continue;
        }
        const digest = await client.pushBlob(item.repo, content, {
          deadlineMs: requestDeadlineMs(task.timeoutMs, item.size, undefined),
          signal: cutOff.signal,
        });
        result.pushed++;
        result.bytes += item.size;
        await report({ type: 'pushed', uri: item.uri, digest, bytes: item.size, registry, layer: shape(digest) });
      } catch (err) {
        result.failed++;
        const error = isDrtpError(err)
          ? err.toData()
          : new DrtpError('E_INTERNAL', String((err as Error)?.stack ?? err)).toData();
        await report({ type: 'failed', uri: item.uri, error, registry });
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, task.concurrency) }, lane));
  } finally {
    clearTimeout(grace);
    await client.close();
  }
  return result;
});
