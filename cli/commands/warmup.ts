import { Command, Option } from 'clipanion';
import { loadTraceParallel } from '../../actors/import-master.js';
import { runWarmup } from '../../actors/warmup-master.js';
import { loadConfiguredTrace } from '../../lib/config/trace.js';
import { readDigestMap } from '../../lib/registry/digest-map.js';
import { SMALLEST_ARCHIVE_BYTES } from '../../lib/registry/layer-archive.js';
import { warmupItems } from '../../lib/registry/warmup-plan.js';
import { resolveShard, shardFilter, shardPath } from '../../lib/planning/shard.js';
import { Progress, formatBytes, formatDuration } from '../../lib/term/progress.js';
import { registryJob } from '../registry-job.js';
import { TraceCommand, numberFlag } from '../base.js';
import { checkOutputs } from '../../lib/fsutil/output-paths.js';
import { parseListenAddress, serveMetrics } from '../../lib/metrics/server.js';
import { WarmupMetrics } from '../../lib/metrics/warmup-metrics.js';
import { describeRead, printable } from '../report.js';
import { interruptible } from '../signals.js';

export class WarmupCommand extends TraceCommand {
  static paths = [['warmup']];
  static usage = Command.Usage({
    category: 'Registry',
    description: 'Push every layer the trace will pull to the registry',
    details: `
      Collects the distinct URIs the run will GET (blobs, and manifests pushed as blobs, as the original
      player did) and pushes each once with generated content of the traced size (zeros, or seeded random
      bytes with \`warmup.random: true\`), \`warmup.threads\` pushes in flight over worker threads. Writes
      \`warmup.output\`, the map from trace URI to digest, atomically. Re-running pushes nothing the
      registry already has; Ctrl-C stops cleanly and leaves a valid map of what was pushed.
    `,
    examples: [['Fill the registry of a configuration', '$0 warmup examples/config.yaml']],
  });

  config = Option.String({ name: 'CONFIG' });
  shard = Option.String('--shard', {
    description:
      'Push only shard I of N (I/N, from 0) of the blobs, by consistent hash of the URI; the map goes to warmup.output with .shard-I-of-N before its extension. Default: JOB_COMPLETION_INDEX/JOB_COMPLETIONS if set',
  });

  metrics = Option.String('--metrics', {
    description: 'Serve live metrics for Prometheus (OpenMetrics) on http://HOST:PORT/metrics while the warmup goes',
  });
  metricsLinger = Option.String('--metrics-linger', {
    description:
      'After the warmup, keep serving metrics until they are scraped once more, at most this many seconds (default 0)',
  });

  async run(): Promise<number> {
    const listen = this.metrics === undefined ? undefined : parseListenAddress(this.metrics, '--metrics');
    const lingerMs = (numberFlag('--metrics-linger', this.metricsLinger, { min: 0, max: 3600 }) ?? 0) * 1000;
    const config = await this.loadConfig(this.config);
    const { output: mapPath, registries: all } = await registryJob(
      config,
      this.config,
      'warmup',
      'where the URI -> digest map goes',
    );
    const registries = config.warmup.registries === 'all' ? all : all.slice(0, 1);
    const { stderr, stdout } = this.context;

    const output = shardPath(mapPath, resolveShard(this.shard));
    await checkOutputs(
      [
        { role: 'the configuration', path: this.config },
        ...config.trace.files.map((path) => ({ role: 'a trace', path })),
      ],
      [{ role: 'warmup.output (the map)', path: output }],
    );
    const reading = new Progress(stderr, 'reading trace', { unit: 'MB', format: (n) => (n / 1e6).toFixed(1) });
    const trace = await loadConfiguredTrace(config, {
      onProgress: (d, t) => reading.update(d, t),
      load: loadTraceParallel,
      exclude: [output],
    });
    reading.stop();
    stdout.write(describeRead(trace, this.isVerbose(config)));
    const shard = resolveShard(this.shard);
    const inShard = shard === undefined ? undefined : shardFilter(shard);
    const items = warmupItems(trace.table, trace.methods).filter((item) => inShard === undefined || inShard(item.uri));
    const map = await readDigestMap(output);
    const totalBytes = items.reduce((sum, i) => sum + i.size, 0) * registries.length;
    stdout.write(
      `warmup: ${items.length.toLocaleString('en-US')} blobs (${formatBytes(totalBytes)}) to ${registries.map((r) => r.name).join(', ')}\n`,
    );

    const metrics = listen === undefined ? undefined : new WarmupMetrics(items.length * registries.length);
    const server =
      metrics === undefined || listen === undefined
        ? undefined
        : await serveMetrics(metrics.registry, listen, '--metrics');
    if (server !== undefined) stderr.write(`metrics: ${server.url}\n`);
    const progress = new Progress(stderr, 'warmup', { unit: 'blobs' });
    const summary = await interruptible(stderr, (signal) =>
      runWarmup({
        registries,
        items,
        map,
        output,
        threads: config.warmup.threads,
        timeoutMs: config.clientInfo.timeoutMs,
        random: config.warmup.random,
        manifests: config.warmup.manifests,
        signal,
        onReport: (r, done, total) => {
          progress.update(done, total);
          metrics?.blob(r.registry, r.type, r.type === 'pushed' ? r.bytes : 0);
        },
      }),
    ).finally(() => server?.close(lingerMs));
    progress.stop();
    stdout.write(
      `warmup: ${summary.pushed.toLocaleString('en-US')} pushed (${formatBytes(summary.bytes)}), ${summary.present.toLocaleString('en-US')} already present, ` +
        `${summary.failed.toLocaleString('en-US')} failed, in ${formatDuration(summary.seconds)}; map written to ${output}\n`,
    );
    if ((summary.notArchives ?? 0) > 0)
      stdout.write(
        `warmup: ${(summary.notArchives ?? 0).toLocaleString('en-US')} layers under ${SMALLEST_ARCHIVE_BYTES} bytes, too small for any gzip-compressed tar, pushed as plain content and left out of the image manifests\n`,
      );
    if (summary.kept > 0)
      stdout.write(
        `warmup: ${summary.kept.toLocaleString('en-US')} of the failed keep the digest an earlier warmup recorded\n`,
      );
    for (const f of summary.failures) stdout.write(`  failed: ${printable(f)}\n`);
    if (summary.stopped) {
      stderr.write('drtp: warmup interrupted: the map holds what was pushed; run warmup again to resume\n');
      return 130;
    }
    return summary.failed > 0 ? 3 : 0;
  }
}
