import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { cpus, totalmem, hostname } from 'node:os';
import type { Config } from './types.js';
import type { RegistryEndpoint } from '../registry/endpoint.js';
import { ioError } from '../fsutil/io-error.js';

const SAMPLE = 1 << 20;

/**
 * A fingerprint of a trace file that is cheap on files of many GB: sha256 over its size, first MiB
 * and last MiB. Enough to tell which file a result came from; not a proof of identity.
 */
export async function fileFingerprint(
  path: string,
): Promise<{ path: string; bytes: number; sha256HeadTail1MiB: string }> {
  try {
    return await fingerprint(path);
  } catch (err) {
    throw ioError(err, 'read trace file', path);
  }
}

async function fingerprint(path: string): Promise<{ path: string; bytes: number; sha256HeadTail1MiB: string }> {
  const { size } = await stat(path);
  const hash = createHash('sha256').update(String(size));
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(Math.min(SAMPLE, size));
    await handle.read(buf, 0, buf.length, 0);
    hash.update(buf);
    if (size > SAMPLE) {
      await handle.read(buf, 0, buf.length, Math.max(SAMPLE, size - SAMPLE));
      hash.update(buf);
    }
  } finally {
    await handle.close();
  }
  return { path, bytes: size, sha256HeadTail1MiB: hash.digest('hex') };
}

/**
 * How a result was made: enough to reproduce it. Credentials are left out. `configHash` identifies the
 * run's configuration apart from where its shard writes, so `drtp merge` can refuse to add up shards of
 * different runs.
 */
export async function runMeta(
  config: Config,
  registries: RegistryEndpoint[],
  version: string,
  shard?: { index: number; count: number },
): Promise<Record<string, unknown>> {
  const cpu = cpus();
  const shown = { ...config, registries: registries.map((r) => r.name) };
  return {
    drtp: version,
    configHash: createHash('sha256').update(JSON.stringify(shown)).digest('hex'),
    ...(shard === undefined ? {} : { shard }),
    node: process.version,
    host: {
      name: hostname(),
      cpus: cpu.length,
      cpuModel: cpu[0]?.model ?? 'unknown',
      memoryBytes: totalmem(),
      platform: `${process.platform}-${process.arch}`,
    },
    config: shown,
    /** The HTTP version of each registry's requests, as settled for the run. */
    http: Object.fromEntries(registries.map((r) => [r.name, r.version === 'h2' ? 'HTTP/2' : 'HTTP/1.1'])),
    seed: config.seed,
    traceFiles: await Promise.all(config.trace.files.map(fileFingerprint)),
  };
}
