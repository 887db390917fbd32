import { createCipheriv, createHash } from 'node:crypto';

/** Bytes handed to the network at a time. */
export const CHUNK_BYTES = 1 << 20;
const ZEROS = Buffer.alloc(CHUNK_BYTES);
/** Bytes at the end of zeros-mode content that carry the URI's hash. */
const TAIL_BYTES = 32;

/** Content of a given size, produced chunk by chunk: never held whole in memory. */
export interface BlobContent {
  readonly size: number;
  chunks(): Iterable<Uint8Array>;
}

/**
 * Generated layer content for a trace URI, the same for the same URI on every run (so warmup is
 * idempotent and resumable) and different for different URIs, in zeros mode too: zeros followed by a
 * 32-byte tail, the sha256 of the URI. (The original player's zero-filled layers of equal size had equal
 * digests, so the registry stored them once.) Random mode is an AES-128-CTR keystream keyed by the
 * URI's hash: fast (hardware AES) and identical everywhere.
 */
export function generatedContent(uri: string, size: number, random: boolean): BlobContent {
  const seed = createHash('sha256').update(uri).digest();
  return { size, chunks: () => (random ? randomChunks(seed, size) : zeroChunks(seed, size)) };
}

function* zeroChunks(seed: Buffer, size: number): Generator<Uint8Array> {
  const tailStart = Math.max(0, size - TAIL_BYTES);
  let at = 0;
  while (at < tailStart) {
    const n = Math.min(CHUNK_BYTES, tailStart - at);
    yield ZEROS.subarray(0, n);
    at += n;
  }
  if (size > 0) yield seed.subarray(0, size - tailStart);
}

function* randomChunks(seed: Buffer, size: number): Generator<Uint8Array> {
  const cipher = createCipheriv('aes-128-ctr', seed.subarray(0, 16), seed.subarray(16, 32));
  let at = 0;
  while (at < size) {
    const n = Math.min(CHUNK_BYTES, size - at);
    yield cipher.update(ZEROS.subarray(0, n));
    at += n;
  }
}

/** sha256 digest (`sha256:<hex>`) of content, computed by streaming it. */
export function digestOf(content: BlobContent): string {
  const hash = createHash('sha256');
  for (const chunk of content.chunks()) hash.update(chunk);
  return `sha256:${hash.digest('hex')}`;
}
