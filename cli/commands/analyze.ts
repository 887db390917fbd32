import { Command, Option } from 'clipanion';
import { availableParallelism } from 'node:os';
import { analyzeTraces } from '../../actors/analyze-master.js';
import { analysisHtml, formatAnalysis } from '../../lib/analyze/report.js';
import { DrtpError } from '../../lib/errors.js';
import { writeFileAtomic } from '../../lib/fsutil/atomic.js';
import { Progress } from '../../lib/term/progress.js';
import { TraceCommand, numberFlag } from '../base.js';
import { checkOutputs } from '../../lib/fsutil/output-paths.js';
import { describeFile } from '../report.js';

export class AnalyzeCommand extends TraceCommand {
  static paths = [['analyze']];
  static usage = Command.Usage({
    category: 'Traces',
    description: "Characterize traces the way the FAST'18 paper does",
    details: `
      Reads TRACES (or the configuration's trace) file by file on worker threads and reports, overall and
      per data center (from the file names, e.g. prod-dal09-...): the request mix by method, kind and status;
      size distributions of layers and manifests; popularity of layers, repositories, users and clients
      (top 1% / 10% shares, a Zipf fit); requests over time, inter-arrival, the busiest second and minute;
      pulls (manifest GETs followed by layer GETs of the same client within 1, 10, 60 s) and how soon pushed
      layers are pulled; traced response times per class. --json prints one JSON document; --html writes a
      self-contained page with charts.
    `,
    examples: [
      ['The sample trace', '$0 analyze examples/traces/prod-dal09-logstash-2017.06.20-0.json'],
      ["A configuration's trace, as JSON and a page", '$0 analyze --config config.yaml --json --html report.html'],
    ],
  });

  config = Option.String('--config', { description: 'Analyze the trace of this configuration' });
  json = Option.Boolean('--json', false, { description: 'Print one JSON document' });
  html = Option.String('--html', { description: 'Write a self-contained HTML page with charts' });
  strict = Option.Boolean('--strict', false, { description: 'Stop at the first malformed record' });
  workers = Option.String('--workers', { description: 'Worker threads (default: all cores)' });
  traces = Option.Rest({ name: 'TRACES' });

  async run(): Promise<number> {
    let files = this.traces;
    const config = this.config === undefined ? undefined : await this.loadConfig(this.config);
    if (config !== undefined) files = [...files, ...config.trace.files];
    if (files.length === 0) throw new DrtpError('E_USAGE', 'give trace files, or --config CONFIG');
    const inputs = [
      ...files.map((path) => ({ role: 'a trace', path })),
      ...(this.config === undefined ? [] : [{ role: 'the configuration', path: this.config }]),
    ];
    const outputs = this.html === undefined ? [] : [{ role: '--html', path: this.html }];
    await checkOutputs(inputs, outputs);
    const progress = new Progress(this.context.stderr, 'analyze', { unit: 'files' });
    const { analysis, charts, perFile } = await analyzeTraces(files, {
      exclude: outputs.map((o) => o.path),
      strict: this.strict,
      workers: numberFlag('--workers', this.workers, { integer: true, min: 1 }) ?? availableParallelism(),
      onFile: (d, t) => progress.update(d, t),
    });
    progress.stop();
    // On stderr, so that --json stays one document.
    if (this.isVerbose(config)) for (const f of perFile) this.context.stderr.write(`${describeFile(f)}\n`);
    if (this.html !== undefined)
      await writeFileAtomic(this.html, analysisHtml(analysis, charts(), `drtp analyze: ${files.length} trace file(s)`));
    this.context.stdout.write(this.json ? `${JSON.stringify(analysis, null, 2)}\n` : formatAnalysis(analysis));
    return 0;
  }
}
