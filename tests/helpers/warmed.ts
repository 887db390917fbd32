import type { Test } from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSynthTrace } from '../../lib/trace/synth-files.js';
import { runCli } from './cli.js';
import { withRegistry } from './registry.js';

/** A warmed-up docker-registry and a configuration replaying 120 synthetic requests to it. */
export async function warmed(t: Test, extra = '', clientInfo = '  wait: false\n  threads: 1') {
  const dir = t.testdir();
  await writeSynthTrace(join(dir, 'traces'), { requests: 120, seed: 3, maxLayerBytes: 200_000, clients: 12 });
  const registry = await withRegistry(t);
  const config = join(dir, 'config.yaml');
  const body = (registryHost: string, more: string) =>
    `client_info:\n${clientInfo}\ntrace:\n  location: traces\n  traces: [prod-dal09-logstash-2017.06.20-0.json]\n  output: out/results.ndjson\nregistry: [${registryHost}]\nwarmup:\n  output: interm.json\n  threads: 4\n${more}`;
  writeFileSync(config, body(registry.host, extra));
  const warm = await runCli(['warmup', config]);
  t.equal(warm.code, 0, warm.stderr);
  return {
    dir,
    config,
    registry,
    output: join(dir, 'out/results.ndjson'),
    rewrite: (more: string, host = registry.host) => writeFileSync(config, body(host, more)),
  };
}
