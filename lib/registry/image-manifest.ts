import { createHash } from 'node:crypto';
import type { RegistryClient } from './client.js';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar';

export interface Layer {
  digest: string;
  size: number;
}

/**
 * An OCI image manifest over `layers`, padded with an annotation so that it is `size` bytes long (the
 * traced size of the manifest GET), or as short as it can be when the traced size is smaller.
 */
export function imageManifest(config: Layer, layers: readonly Layer[], size: number): Buffer {
  const build = (padding: string): Buffer =>
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: OCI_CONFIG, digest: config.digest, size: config.size },
        layers: layers.map((l) => ({ mediaType: OCI_LAYER, digest: l.digest, size: l.size })),
        annotations: { 'dev.drtp.padding': padding },
      }),
    );
  const bare = build('');
  return bare.length >= size ? bare : build('x'.repeat(size - bare.length));
}

/**
 * Pushes an image manifest for a traced manifest URI: a config blob naming the URI, then the manifest
 * under the trace's reference. Returns the manifest's digest.
 */
export async function pushImageManifest(client: RegistryClient, repo: string, reference: string, uri: string, layers: readonly Layer[], size: number): Promise<string> {
  const configBody = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: { Labels: { 'dev.drtp.uri': uri } } }));
  const configDigest = await client.pushBlob(repo, { size: configBody.length, chunks: () => [configBody] });
  const body = imageManifest({ digest: configDigest, size: configBody.length }, layers, size);
  const digest = await client.pushManifest(repo, reference, body, OCI_MANIFEST);
  return digest.startsWith('sha256:') ? digest : `sha256:${createHash('sha256').update(body).digest('hex')}`;
}
