import { Command, Option } from 'clipanion';
import { DrtpError } from '../../lib/errors.js';
import { writeFileAtomic } from '../../lib/fsutil/atomic.js';
import { perSecond, resultsOf, runNames, runReportHtml, type RunInput } from '../../lib/report/run-report.js';
import { readSummary } from '../../lib/stats/summary.js';
import { BaseCommand } from '../base.js';
import { checkOutputs } from '../../lib/fsutil/output-paths.js';

export class ReportCommand extends BaseCommand {
  static paths = [['report']];
  static usage = Command.Usage({
    category: 'Registry',
    description: 'Draw one or more runs as an HTML page',
    details: `
      Turns run summaries (\`<output>.summary.json\`, with their NDJSON results next to them when present) into
      one self-contained HTML page: a table of the runs and their thresholds, latency by percentile and its
      CDF (per class for one run; for several, e.g. two registries or two configurations, the runs side by
      side per class), and requests done, failed and bytes moved over time.
    `,
    examples: [
      ['Compare two runs', '$0 report a/results.ndjson.summary.json b/results.ndjson.summary.json --out compare.html'],
    ],
  });

  out = Option.String('--out', { required: true, description: 'The HTML file to write' });
  summaries = Option.Rest({ required: 1, name: 'SUMMARY' });

  async run(): Promise<number> {
    const inputs = this.summaries.flatMap((path) => [
      { role: 'a summary', path },
      ...(resultsOf(path) === undefined ? [] : [{ role: 'the results of a summary', path: resultsOf(path) as string }]),
    ]);
    await checkOutputs(inputs, [{ role: '--out', path: this.out }]);
    const runs: RunInput[] = [];
    const names = runNames(this.summaries);
    for (const [k, file] of this.summaries.entries()) {
      const summary = await readSummary(file);
      if (summary.histograms === undefined || summary.classes === undefined)
        throw new DrtpError('E_USAGE', `${file} is not a drtp run summary`, { file });
      const results = resultsOf(file);
      runs.push({ name: names[k], summary, ...(results === undefined ? {} : { perSecond: await perSecond(results) }) });
    }
    await writeFileAtomic(this.out, runReportHtml(runs, `drtp report: ${runs.map((r) => r.name).join(' vs ')}`));
    this.context.stdout.write(`wrote ${this.out}\n`);
    return 0;
  }
}
