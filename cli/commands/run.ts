import { Command, Option } from 'clipanion';
import { loadTraceParallel } from '../../actors/import-master.js';
import { resolve } from 'node:path';
import { runReplay } from '../../actors/master.js';
import { loadConfiguredTrace } from '../../lib/config/trace.js';
import { DrtpError } from '../../lib/errors.js';
import { readDigestMapOrShards } from '../../lib/registry/digest-map.js';
import { parseStartAt, resolveShard, shardFilter, shardPath } from '../../lib/planning/shard.js';
import { runMeta } from '../../lib/config/meta.js';
import { formatSummary } from '../../lib/report/summary-text.js';
import { Progress } from '../../lib/term/progress.js';
import { drtpVersion } from '../version.js';
import { registryJob } from '../registry-job.js';
import { TraceCommand, numberFlag } from '../base.js';
import { checkOutputs } from '../../lib/fsutil/output-paths.js';
import { lockOutput } from '../../lib/fsutil/output-lock.js';
import { connectionWarning, openFileLimit, spanWarning } from '../../lib/planning/run-warnings.js';
import { parseListenAddress } from '../../lib/metrics/server.js';
import { describeRead, replayProgress } from '../report.js';
import { interruptible } from '../signals.js';
import { commandLineThresholds } from '../../lib/config/thresholds.js';
import { unknownRegistries } from '../../lib/thresholds/evaluate.js';
import { thresholdsOutcome } from '../thresholds.js';

export class RunCommand extends TraceCommand {
  static paths = [['run']];
  static usage = Command.Usage({
    category: 'Registry',
    description: 'Replay the trace against the registries and report how they did',
    details: `
      Replays the configuration's trace against its registries: in timestamp order at trace speed
      (\`client_info.wait: true\`, \`client_info.speed\` times faster) or as fast as possible, from client actors
      on worker threads, one per traced client. Pulls fetch the blobs \`drtp warmup\` pushed; pushes upload
      generated content of the traced size. Writes every request to \`trace.output\` (NDJSON) and the
      summary to \`<output>.summary.json\`, and prints the summary. Ctrl-C stops sending, lets requests in
      flight finish and writes what was done.

      Thresholds (the configuration's \`thresholds\` and \`--threshold\`) are judged on the summary; when one
      fails the run exits 99, after every file is written.
    `,
    examples: [
      ['Replay the sample trace', '$0 run examples/config.yaml'],
      [
        'Fail a CI job when GET blob p99 is 50 ms or more',
        "$0 run config.yaml --threshold 'GET blob: p99 < 50ms' --junit thresholds.xml",
      ],
    ],
  });

  config = Option.String({ name: 'CONFIG' });
  json = Option.Boolean('--json', false, { description: 'Print the summary as JSON instead of a table' });
  shard = Option.String('--shard', {
    description:
      'Replay only shard I of N (I/N, from 0): the clients whose consistent hash falls in it. Default: JOB_COMPLETION_INDEX/JOB_COMPLETIONS if set',
  });
  startAt = Option.String('--start-at', {
    description: 'Start at this wall-clock time (ISO or epoch ms), so that every shard starts together',
  });
  threshold = Option.Array('--threshold', [], {
    description:
      "A pass/fail criterion, e.g. 'GET blob: p99 < 50ms' or 'all: failed_rate < 0.1%' (repeatable; with the configuration's thresholds)",
  });
  junit = Option.String('--junit', {
    description: 'Write the thresholds as JUnit XML to this file (one test case each)',
  });
  metrics = Option.String('--metrics', {
    description: 'Serve live metrics for Prometheus (OpenMetrics) on http://HOST:PORT/metrics while the run goes',
  });
  metricsLinger = Option.String('--metrics-linger', {
    description:
      'After the run, keep serving metrics until they are scraped once more, at most this many seconds (default 0)',
  });
  hlog = Option.String('--hlog', {
    description:
      'Write HdrHistogram interval logs (one histogram per second) and .hgrm percentile tables of latency, per request class, into this directory',
  });

  async run(): Promise<number> {
    const loaded = await this.loadConfig(this.config);
    const shard = resolveShard(this.shard);
    const startAtEpochMs = parseStartAt(this.startAt);
    // A shard writes its own results next to the others' (a shared volume): merge them with drtp merge.
    const config = { ...loaded, trace: { ...loaded.trace, output: shardPath(loaded.trace.output, shard) } };
    const { stdout, stderr } = this.context;
    const { output: mapPath, registries } = await registryJob(
      config,
      this.config,
      'run',
      'the URI -> digest map warmup wrote',
    );
    const thresholds = [...config.thresholds, ...commandLineThresholds(this.threshold)];
    const metrics =
      this.metrics === undefined
        ? undefined
        : {
            ...parseListenAddress(this.metrics, '--metrics'),
            lingerMs: (numberFlag('--metrics-linger', this.metricsLinger, { min: 0, max: 3600 }) ?? 0) * 1000,
            onListening: (url: string) => stderr.write(`metrics: ${url}\n`),
          };
    for (const { threshold, name } of unknownRegistries(
      thresholds.map((t) => t.threshold),
      registries.map((r) => r.name),
    )) {
      throw new DrtpError(
        'E_CONFIG',
        `threshold "${threshold.source}": the run has no registry ${name} (its registries: ${registries.map((r) => r.name).join(', ')})`,
        { file: this.config },
      );
    }
    const resultsFile = config.trace.output;
    const outputs = [
      { role: 'trace.output (the results)', path: resultsFile },
      { role: 'the summary', path: `${resultsFile}.summary.json` },
      ...(this.junit === undefined ? [] : [{ role: '--junit', path: this.junit }]),
    ];
    const inputs = [
      { role: 'the configuration', path: this.config },
      { role: 'the warmup map', path: mapPath },
      ...config.trace.files.map((path) => ({ role: 'a trace', path })),
    ];
    await checkOutputs(inputs, outputs);
    // Two runs into one output would interleave their rows: the second is refused while the first lives.
    const unlock = lockOutput(resultsFile, 'trace.output');
    try {
      const map = await readDigestMapOrShards(mapPath);
      if (map === undefined)
        throw new DrtpError('E_CONFIG', `warmup map ${mapPath} is missing: run \`drtp warmup ${this.config}\` first`, {
          file: mapPath,
        });
      const reading = new Progress(stderr, 'reading trace', { unit: 'MB', format: (n) => (n / 1e6).toFixed(1) });
      const trace = await loadConfiguredTrace(config, {
        onProgress: (d, t) => reading.update(d, t),
        load: loadTraceParallel,
        exclude: outputs.map((o) => o.path),
      });
      reading.stop();
      if (!this.json) stdout.write(describeRead(trace, this.isVerbose(loaded)));
      // Over TLS the version was negotiated (client_info.protocol): say which.
      for (const r of registries)
        if (!this.json && r.origin.startsWith('https:'))
          stdout.write(
            `${r.name}: ${r.version === 'h2' ? 'HTTP/2' : 'HTTP/1.1'} (client_info.protocol ${config.clientInfo.protocol})\n`,
          );
      const spanned = config.clientInfo.wait ? spanWarning(trace.table, config.clientInfo.speed) : undefined;
      const crowded = connectionWarning(
        trace.table.pools.clients.size,
        config.clientInfo.inFlight,
        registries.length,
        openFileLimit(),
      );
      for (const warning of [spanned, crowded]) if (warning !== undefined) stderr.write(`drtp: warning: ${warning}\n`);
      const meta = await runMeta(loaded, registries, drtpVersion(), shard);
      if (shard !== undefined && !this.json)
        stdout.write(`shard ${shard.index} of ${shard.count}: this process replays the clients that hash to it\n`);
      if (startAtEpochMs !== undefined && startAtEpochMs < Date.now())
        stderr.write(`drtp: --start-at ${new Date(startAtEpochMs).toISOString()} is past: starting now\n`);
      const progress = new Progress(stderr, 'run', { unit: 'requests' });
      const outcome = await interruptible(stderr, (signal) =>
        runReplay({
          config,
          trace,
          map,
          registries,
          signal,
          meta,
          thresholds,
          ...(this.hlog === undefined ? {} : { hlogDir: resolve(this.hlog) }),
          ...(metrics === undefined ? {} : { metrics }),
          ...(shard === undefined ? {} : { clientFilter: shardFilter(shard) }),
          ...(startAtEpochMs === undefined ? {} : { startAtEpochMs: Math.max(startAtEpochMs, Date.now() + 300) }),
          ...replayProgress(progress),
        }),
      );
      progress.stop();
      if (this.json) stdout.write(`${JSON.stringify(outcome.summary, null, 2)}\n`);
      else
        stdout.write(
          `\n${formatSummary(outcome.summary)}\nresults: ${outcome.resultsFile}\nsummary: ${outcome.summaryFile}\n${this.hlog === undefined ? '' : `histogram logs: ${resolve(this.hlog)}\n`}`,
        );
      const status = await thresholdsOutcome(outcome.summary, this.junit, `drtp run ${this.config}`, stderr);
      if (outcome.aborted !== undefined) {
        stderr.write(
          `drtp: run stopped: threshold ${outcome.aborted.threshold.source} failed over the last ${outcome.aborted.windowSeconds} s (observed ${outcome.aborted.shown}); results and summary hold what was done\n`,
        );
        return status;
      }
      if (outcome.stopped) {
        stderr.write('drtp: run interrupted: results and summary hold what was done\n');
        return 130;
      }
      return status;
    } finally {
      unlock();
    }
  }
}
