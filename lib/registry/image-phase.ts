import { errorData } from '../errors.js';
import { RegistryClient, clientOptions } from './client.js';
import type { RegistryEndpoint } from './endpoint.js';
import { pushImageManifest, type ImageLayer } from './image-manifest.js';
import type { WarmupReport } from './warmup-ledger.js';
import type { WarmupItem } from './warmup-plan.js';

/**
 * Second phase of `manifests: image`: each manifest URI becomes an OCI image manifest over `layers` of
 * its repository (warmed as archives, sizes from the trace), pushed from the master (they are few and
 * small) to every registry; each one done or failed goes to `report`. Stops between manifests on `signal`.
 */
export async function pushImageManifests(
  registries: readonly RegistryEndpoint[],
  manifests: readonly WarmupItem[],
  layers: ReadonlyMap<string, ImageLayer[]>,
  timeoutMs: number,
  report: (r: WarmupReport) => void,
  signal?: AbortSignal,
): Promise<{ pushed: number; failed: number; bytes: number }> {
  const counts = { pushed: 0, failed: 0, bytes: 0 };
  for (const registry of registries) {
    const client = new RegistryClient(registry, clientOptions(timeoutMs));
    try {
      for (const item of manifests) {
        if (signal?.aborted === true) return counts;
        try {
          const reference = item.uri.slice(item.uri.lastIndexOf('/manifests/') + '/manifests/'.length);
          const digest = await pushImageManifest(
            client,
            item.repo,
            reference,
            item.uri,
            layers.get(item.repo) ?? [],
            item.size,
          );
          counts.pushed++;
          counts.bytes += item.size;
          report({ type: 'pushed', uri: item.uri, digest, bytes: item.size, registry: registry.name });
        } catch (err) {
          counts.failed++;
          report({ type: 'failed', uri: item.uri, error: errorData(err), registry: registry.name });
        }
      }
    } finally {
      await client.close();
    }
  }
  return counts;
}
