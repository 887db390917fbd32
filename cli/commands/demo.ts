import { Command, Option } from 'clipanion';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runReplay } from '../../actors/master.js';
import { runWarmup } from '../../actors/warmup-master.js';
import { resolveConfig } from '../../lib/config/load.js';
import { loadConfiguredTrace } from '../../lib/config/trace.js';
import { DrtpError } from '../../lib/errors.js';
import { resolveEndpoint } from '../../lib/registry/endpoint.js';
import { startLocalRegistry, type LocalRegistry } from '../../lib/registry/local.js';
import { warmupItems } from '../../lib/registry/warmup-plan.js';
import { formatSummary } from '../../lib/report/summary-text.js';
import { writeSynthTrace } from '../../lib/trace/synth-files.js';
import { Progress, formatBytes } from '../../lib/term/progress.js';
import { TraceCommand, numberFlag } from '../base.js';
import { describeRead, replayProgress } from '../report.js';
import { interruptible } from '../signals.js';
import { drtpVersion } from '../version.js';
import { runMeta } from '../../lib/config/meta.js';

export class DemoCommand extends TraceCommand {
  static paths = [['demo']];
  static usage = Command.Usage({
    category: 'Registry',
    description: 'Synthesize a trace, warm up a local registry, replay, report',
    details: `
      The whole job in one command: writes a small synthetic trace, starts \`docker-registry\` on 127.0.0.1
      (a free port, a temporary store), pushes the trace's layers, replays the trace at trace timing sped
      up to take about --seconds, prints the summary, then stops the registry and removes its store.
      With --registry it uses a registry that is already running instead.
    `,
    examples: [
      ['The demo', '$0 demo'],
      ['Against a running registry', '$0 demo --registry 127.0.0.1:5000'],
    ],
  });

  registry = Option.String('--registry', {
    description: 'Use this running registry (host:port or URL) instead of starting one',
  });
  requests = Option.String('--requests', '400', { description: 'Records in the synthetic trace (default 400)' });
  seconds = Option.String('--seconds', '20', { description: 'About how long the replay takes (default 20)' });
  seed = Option.String('--seed', '7', { description: 'Seed of the synthetic trace (default 7)' });
  keep = Option.String('--keep', { description: 'Keep the trace, map and results in this directory' });

  async run(): Promise<number> {
    const { stdout, stderr } = this.context;
    const requests = numberFlag('--requests', this.requests, { integer: true, min: 10 }) as number;
    const seconds = numberFlag('--seconds', this.seconds, { min: 1 }) as number;
    if (this.registry === undefined && !hasDockerRegistry()) {
      stderr.write(
        'drtp demo needs docker-registry (CNCF Distribution) to start a local registry.\nInstall it with:  sudo apt-get install -y docker-registry\nor point the demo at a running registry:  drtp demo --registry HOST:PORT\n',
      );
      return 2;
    }
    // Absolute: the configuration written into it names its files relative to itself.
    const dir = this.keep === undefined ? await mkdtemp(join(tmpdir(), 'drtp-demo-')) : resolve(this.keep);
    let local: LocalRegistry | undefined;
    try {
      stdout.write(`1/4 synthesizing a ${requests}-request trace in ${dir}\n`);
      const files = await writeSynthTrace(join(dir, 'traces'), {
        requests,
        seed: numberFlag('--seed', this.seed, { integer: true }) as number,
        maxLayerBytes: 4_000_000,
        rate: requests / (3 * seconds),
      });
      if (this.registry === undefined) {
        local = await startLocalRegistry();
        stdout.write(`2/4 started docker-registry on ${local.host} (pid ${local.pid}, store ${local.root})\n`);
      } else stdout.write(`2/4 using the registry at ${this.registry}\n`);
      const host = local?.host ?? (this.registry as string);
      const probe = resolveConfig(
        {
          client_info: { wait: true },
          trace: { traces: files, output: join(dir, 'results.ndjson') },
          registry: [host],
          warmup: { output: join(dir, 'interm.json'), threads: 8 },
        },
        join(dir, 'demo.yaml'),
      );
      const trace = await loadConfiguredTrace(probe);
      stdout.write(describeRead(trace, this.verbose));
      const spanSeconds = trace.table.length > 0 ? trace.table.offsetMs(trace.table.length - 1) / 1000 : 0;
      const speed = Math.max(1, spanSeconds / seconds);
      const config = { ...probe, clientInfo: { ...probe.clientInfo, speed } };
      const registries = [resolveEndpoint(host, dir)];

      const items = warmupItems(trace.table, trace.methods);
      stdout.write(`3/4 warming up: ${items.length} blobs, ${formatBytes(items.reduce((s, i) => s + i.size, 0))}\n`);
      const warmProgress = new Progress(stderr, 'warmup', { unit: 'blobs' });
      const map = new Map();
      const warm = await interruptible(stderr, (signal) =>
        runWarmup({
          registries,
          items,
          map,
          output: config.warmup.output as string,
          threads: 8,
          random: false,
          signal,
          onReport: (_r, d, t) => warmProgress.update(d, t),
        }),
      );
      warmProgress.stop();
      if (warm.stopped) return 130;
      if (warm.failed > 0)
        throw new DrtpError('E_REGISTRY_HTTP', `warmup failed for ${warm.failed} blobs: ${warm.failures.join('; ')}`);

      stdout.write(
        `4/4 replaying the ${spanSeconds.toFixed(0)} s trace at ${speed.toFixed(1)}x speed (about ${seconds} s)\n`,
      );
      const progress = new Progress(stderr, 'run', { unit: 'requests' });
      const meta = await runMeta(config, registries, drtpVersion());
      const outcome = await interruptible(stderr, (signal) =>
        runReplay({ config, trace, map, registries, signal, meta, ...replayProgress(progress) }),
      );
      progress.stop();
      stdout.write(`\n${formatSummary(outcome.summary)}`);
      if (this.keep !== undefined) stdout.write(`\nresults: ${outcome.resultsFile}\nsummary: ${outcome.summaryFile}\n`);
      return outcome.stopped ? 130 : 0;
    } finally {
      await local?.stop();
      if (this.keep === undefined) await rm(dir, { recursive: true, force: true });
    }
  }
}

function hasDockerRegistry(): boolean {
  try {
    execFileSync('docker-registry', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
