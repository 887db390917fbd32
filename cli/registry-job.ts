import { dirname } from 'node:path';
import type { Config } from '../lib/config/types.js';
import { DrtpError } from '../lib/errors.js';
import { resolveEndpoint, type RegistryEndpoint } from '../lib/registry/endpoint.js';
import { withVersions } from '../lib/registry/protocol.js';

/**
 * What warmup and run both need from a configuration: the warmup map's path and at least one registry,
 * resolved to endpoints with the HTTP version each speaks (`client_info.protocol`, negotiated over TLS).
 * Fails with E_CONFIG naming the key and what the job uses it for.
 */
export async function registryJob(
  config: Config,
  file: string,
  job: 'warmup' | 'run',
  mapRole: string,
): Promise<{ output: string; registries: RegistryEndpoint[] }> {
  if (config.warmup.output === undefined)
    throw new DrtpError('E_CONFIG', `${file}: /warmup/output is required for ${job} (${mapRole})`, {
      path: '/warmup/output',
    });
  if (config.registries.length === 0)
    throw new DrtpError('E_CONFIG', `${file}: /registry needs at least one registry for ${job}`, { path: '/registry' });
  const base = dirname(config.file);
  const endpoints = config.registries.map((r) => resolveEndpoint(r, base));
  return {
    output: config.warmup.output,
    registries: await withVersions(endpoints, config.clientInfo.protocol, config.clientInfo.timeoutMs),
  };
}
