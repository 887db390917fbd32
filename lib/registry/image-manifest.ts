import { createHash } from 'node:crypto';
import type { RegistryClient } from './client.js';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

export interface Layer {
  digest: string;
  size: number;
}

/**
 * An OCI image manifest over `layers`, every one a gzip-compressed tar (a blob that is not one has no
 * place in an image: runtimes fail to unpack it), padded with an annotation so that it is `size` bytes
 * long (the traced size of the manifest GET), or as short as it can be when the traced size is smaller.
 */
export function imageManifest(config: Layer, layers: readonly Layer[], size: number): Buffer {
  const build = (padding: string): Buffer =>
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: OCI_CONFIG, digest: config.digest, size: config.size },
        layers: layers.map((l) => ({ mediaType: OCI_LAYER_GZIP, digest: l.digest, size: l.size })),
        annotations: { 'dev.drtp.padding': padding },
      }),
    );
  const bare = build('');
  return bare.length >= size ? bare : build('x'.repeat(size - bare.length));
}

/** A layer of an image: its blob, the sha256 of the tar inside (`diffId`), and the trace URI it stands for. */
export interface ImageLayer extends Layer {
  diffId: string;
  uri: string;
}

/**
 * The image config: a linux/amd64 image whose root file system is `layers` in order (`rootfs.diff_ids`),
 * a history entry for each, and the traced manifest URI as a label.
 */
export function imageConfig(uri: string, layers: readonly ImageLayer[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Labels: { 'dev.drtp.uri': uri } },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      history: layers.map((l) => ({ created: '1970-01-01T00:00:00Z', created_by: `drtp warmup: ${l.uri}` })),
    }),
  );
}

/**
 * Pushes an image manifest for a traced manifest URI: its config blob, then the manifest under the
 * trace's reference. Returns the manifest's digest.
 */
export async function pushImageManifest(
  client: RegistryClient,
  repo: string,
  reference: string,
  uri: string,
  layers: readonly ImageLayer[],
  size: number,
): Promise<string> {
  const configBody = imageConfig(uri, layers);
  const configDigest = await client.pushBlob(repo, { size: configBody.length, chunks: () => [configBody] });
  const body = imageManifest({ digest: configDigest, size: configBody.length }, layers, size);
  const digest = await client.pushManifest(repo, reference, body, OCI_MANIFEST);
  return digest.startsWith('sha256:') ? digest : `sha256:${createHash('sha256').update(body).digest('hex')}`;
}
