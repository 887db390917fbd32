import { Command, Option } from 'clipanion';
import { loadTraceParallel } from '../../actors/import-master.js';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { runSweep, type SimulationPoint } from '../../actors/simulate-master.js';
import type { LatencyModel } from '../../lib/contract/settings.js';
import { formatSummary } from '../../lib/report/summary-text.js';
import { MODELS } from '../../lib/cache/index.js';
import { loadConfiguredTrace } from '../../lib/config/trace.js';
import { DrtpError } from '../../lib/errors.js';
import { writeFileAtomic } from '../../lib/fsutil/atomic.js';
import { hitRatioSvg, mrcCsv, pointsCsv } from '../../lib/report/sweep.js';
import { formatBytes } from '../../lib/report/axis.js';
import { lruMissRatioCurve, type MrcPoint } from '../../lib/cache/mrc.js';
import { Progress } from '../../lib/term/progress.js';
import { resolveShard } from '../../lib/planning/shard.js';
import { TraceCommand, numberFlag } from '../base.js';
import { interruptible } from '../signals.js';
import { checkOutputs } from '../../lib/fsutil/output-paths.js';
import { describeRead } from '../report.js';

export class SimulateCommand extends TraceCommand {
  static paths = [['simulate']];
  static usage = Command.Usage({
    category: 'Simulation',
    description: 'Replay the trace through cache models instead of a registry',
    details: `
      Replays the configuration's trace through each model of \`simulate.name\` (one, or a list) with
      \`simulate.args\`, at every combination of the values in \`simulate.sweep\`, each point a simulation actor
      on the worker pool (the trace table is shared with the workers, not copied). Built-in models:
      ${Object.keys(MODELS).join(', ')}; or a .js, .mjs or .ts module exporting \`init(requests, args)\`, as
      the original's plugins. As the original, a simulation sees the trace's failed requests too unless
      \`trace.include_failed\` is set to false. A model that throws is reported; the other points go on.
    `,
    examples: [
      ['Simulate the configured model', '$0 simulate config.yaml'],
      [
        'A sweep, as JSON, with a CSV table and a chart',
        '$0 simulate sweep.yaml --json --csv points.csv --svg hit-ratio.svg',
      ],
    ],
  });

  config = Option.String({ name: 'CONFIG' });
  json = Option.Boolean('--json', false, { description: 'Print {"points": [{model, args, stats}]} as JSON' });
  csv = Option.String('--csv', { description: 'Write the points as a CSV table' });
  svg = Option.String('--svg', {
    description: 'Write a chart of hit ratio against cache size per model (SVG), over the LRU curve of simulate.mrc',
  });
  mrcCsv = Option.String('--mrc-csv', { description: 'Write the miss-ratio curve of simulate.mrc as a CSV table' });
  workers = Option.String('--workers', { description: 'Worker threads (default: all cores)' });
  shard = Option.String('--shard', {
    description:
      'Run only shard I of N (I/N, from 0) of the sweep points: point k when k mod N = I. Default: JOB_COMPLETION_INDEX/JOB_COMPLETIONS if set',
  });

  async run(): Promise<number> {
    const config = await this.loadConfig(this.config);
    if (config.simulate === undefined)
      throw new DrtpError(
        'E_CONFIG',
        `${this.config}: /simulate is required for simulate (at least simulate.name or simulate.mrc)`,
        { path: '/simulate' },
      );
    const { stdout, stderr } = this.context;
    const outputs = [
      ...(this.csv === undefined ? [] : [{ role: '--csv', path: this.csv }]),
      ...(this.svg === undefined ? [] : [{ role: '--svg', path: this.svg }]),
      ...(this.mrcCsv === undefined ? [] : [{ role: '--mrc-csv', path: this.mrcCsv }]),
    ];
    if (this.mrcCsv !== undefined && config.simulate.mrc === undefined)
      throw new DrtpError('E_USAGE', '--mrc-csv needs simulate.mrc in the configuration');
    await checkOutputs(
      [
        { role: 'the configuration', path: this.config },
        ...config.trace.files.map((path) => ({ role: 'a trace', path })),
      ],
      outputs,
    );
    const trace = await loadConfiguredTrace(config, {
      includeFailedByDefault: true,
      load: loadTraceParallel,
      exclude: outputs.map((o) => o.path),
    });
    const shard = resolveShard(this.shard);
    const latency: LatencyModel | undefined = config.simulate.latency;
    const { clientInfo } = config;
    const { mrc } = config.simulate;
    const curve =
      mrc === undefined
        ? undefined
        : lruMissRatioCurve(trace.table, { rate: mrc.rate, sizes: mrc.sizes, points: mrc.points });
    const curveName =
      mrc === undefined || mrc.rate === 1 ? 'LRU curve (exact)' : `LRU curve (SHARDS, ${mrc.rate * 100}%)`;
    const progress = new Progress(stderr, 'simulate', { unit: 'points' });
    let interrupted = false;
    const { names, args, sweep, python } = config.simulate;
    const points =
      names.length === 0
        ? []
        : await interruptible(stderr, (signal) =>
            runSweep(
              trace.table,
              {
                models: names,
                args,
                sweep,
                baseDir: dirname(config.file),
                ...(shard === undefined ? {} : { shard }),
                // A Python model's prints go where they do not break --json.
                python: { ...(python === undefined ? {} : { python }), stdout: this.json ? 'stderr' : 'stdout' },
                ...(latency === undefined
                  ? {}
                  : {
                      registry: {
                        latency,
                        speed: clientInfo.speed,
                        inFlight: clientInfo.inFlight,
                        lateMs: clientInfo.lateMs,
                        seed: config.seed,
                      },
                    }),
              },
              numberFlag('--workers', this.workers, { integer: true, min: 1 }) ?? availableParallelism(),
              (done, total) => progress.update(done, total),
              signal,
            ).finally(() => (interrupted = signal.aborted)),
          );
    progress.stop();
    // Written in either mode: with simulate.latency too (they were silently skipped there).
    if (this.csv !== undefined) await writeFileAtomic(this.csv, pointsCsv(points));
    if (this.mrcCsv !== undefined && curve !== undefined) await writeFileAtomic(this.mrcCsv, mrcCsv(curve));
    if (this.svg !== undefined) await writeFileAtomic(this.svg, hitRatioSvg(points, curve, curveName));
    const prefetchOutfile = points.some((p) => p.original === 'prefetch.py')
      ? resolve(dirname(config.file), String(args?.outfile))
      : undefined;
    if (prefetchOutfile !== undefined) await writeFileAtomic(prefetchOutfile, originalPrefetchLines(points));
    if (interrupted) {
      const finished = points.filter((p) => p.error?.code !== 'E_INTERRUPTED').length;
      stderr.write(
        `drtp: sweep interrupted: ${finished} of ${points.length} points finished; the outputs hold them (the others as E_INTERRUPTED)\n`,
      );
    }
    if (latency !== undefined) return interrupted ? (this.printRegistries(points), 130) : this.printRegistries(points);
    if (this.json)
      stdout.write(
        `${JSON.stringify({ points, ...(curve === undefined ? {} : { mrc: { name: curveName, rate: mrc?.rate, points: curve } }) }, null, 2)}\n`,
      );
    else {
      stdout.write(describeRead(trace, this.isVerbose(config)));
      for (const p of points) {
        stdout.write(`\n${p.model} ${p.args === undefined ? '' : JSON.stringify(p.args)}\n`);
        if (p.error !== undefined) stdout.write(`  failed: ${p.error.code}: ${p.error.message}\n`);
        else if (p.stats !== null && typeof p.stats === 'object') {
          for (const [name, value] of Object.entries(p.stats as Record<string, unknown>))
            stdout.write(
              `  ${name.padEnd(34)} ${typeof value === 'number' && !Number.isInteger(value) ? value.toFixed(4) : JSON.stringify(value)}\n`,
            );
        } else stdout.write(`  ${JSON.stringify(p.stats)}\n`);
      }
      if (curve !== undefined) stdout.write(curveText(curve, curveName));
      if (points.some((p) => p.original === 'cache.py'))
        stdout.write(`\ncache.py, the original's counters:\n${originalCacheLines(points)}`);
      if (prefetchOutfile !== undefined)
        stdout.write(
          `\nprefetch.py: wrote the original's 16 lines (hits / prefetched, max size) to ${prefetchOutfile}\n`,
        );
    }
    const status = this.finish(points);
    return interrupted ? 130 : status;
  }

  /** With simulate.latency: each point's model as a registry, and the run summary it would have given. */
  private printRegistries(points: SimulationPoint[]): number {
    const { stdout } = this.context;
    if (this.json) stdout.write(`${JSON.stringify({ points }, null, 2)}\n`);
    else
      for (const p of points)
        if (p.summary !== undefined)
          stdout.write(
            `\n${p.model} ${JSON.stringify(p.args ?? {})}, as a registry (virtual time):\n${formatSummary(p.summary)}`,
          );
    return this.finish(points);
  }

  private finish(points: SimulationPoint[]): number {
    const failed = points.filter((p) => p.error !== undefined);
    for (const p of failed) this.context.stderr.write(`drtp: ${p.error?.code}: ${p.error?.message}\n`);
    return points.length > 0 && failed.length === points.length ? 2 : 0;
  }
}

/** The curve as a table of at most a dozen of its sizes, evenly picked. */
function curveText(curve: readonly MrcPoint[], name: string): string {
  const step = Math.max(1, Math.ceil(curve.length / 12));
  const rows = curve.filter((_, k) => k % step === 0 || k === curve.length - 1);
  const lines = rows.map(
    (p) =>
      `  ${formatBytes(p.bytes).padStart(10)}   ${p.missRatio.toFixed(4).padStart(10)}   ${p.byteMissRatio.toFixed(4).padStart(15)}`,
  );
  return `\n${name}, ${curve.length} sizes:\n  ${'cache'.padStart(10)}   ${'miss ratio'.padStart(10)}   ${'byte miss ratio'.padStart(15)}\n${lines.join('\n')}\n`;
}

/** The original cache.py's printout (`0 10 lmu hits: N`, ...) from its three two-level points. */
function originalCacheLines(points: readonly SimulationPoint[]): string {
  const lines: string[] = [];
  for (const p of points.filter((q) => q.original === 'cache.py')) {
    const fs = String(p.args?.fs_multiplier);
    const stats = (p.stats ?? {}) as Record<string, number>;
    for (const name of ['lmu hits', 'lmu misses', 'h hits', 'h misses'])
      lines.push(`0 ${fs} ${name}: ${p.error === undefined ? stats[name] : 'failed'}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The original prefetch.py's outfile: per timeout pair, in its order, `hits / (good + bad prefetch),max size`. */
function originalPrefetchLines(points: readonly SimulationPoint[]): string {
  return points
    .filter((p) => p.original === 'prefetch.py')
    .map((p) => {
      const s = (p.stats ?? {}) as Record<string, number>;
      const prefetched = (s['good prefetch'] ?? 0) + (s['bad prefetch'] ?? 0);
      return `${pythonFloat(prefetched === 0 ? NaN : s.hits / prefetched)},${s['max size'] ?? 0}\n`;
    })
    .join('');
}

/** A float as Python's str() writes it: `1.0`, `0.25`, `1e-05`, `nan`. */
function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return `${x}.0`;
  return String(x).replace(/e([+-])(\d)$/, 'e$10$2');
}
