import { Command, Option } from 'clipanion';
import { AtomicFile } from '../../lib/fsutil/atomic.js';
import { mergeSummaries } from '../../lib/stats/merge.js';
import { formatSummary } from '../../lib/report/summary-text.js';
import { readSummary, withThresholds } from '../../lib/stats/summary.js';
import { evaluateThresholds, thresholdsOfSummaries } from '../../lib/thresholds/evaluate.js';
import { BaseCommand } from '../base.js';
import { checkOutputs } from '../../lib/fsutil/output-paths.js';
import { commandLineThresholds } from '../../lib/config/thresholds.js';
import { thresholdsOutcome } from '../thresholds.js';

export class MergeCommand extends BaseCommand {
  static paths = [['merge']];
  static usage = Command.Usage({
    category: 'Registry',
    description: 'Add up the summaries of a sharded run',
    details: `
      Merges the \`.summary.json\` files of the shards of one run (\`drtp run --shard I/N\`, or a Kubernetes
      Indexed Job) into one summary, exactly: counts and bytes add up, HDR histograms merge bucket by bucket
      (the merged p99 is the p99 of all requests, not an average), and the time span runs from the earliest
      start to the latest end. Summaries of different traces or configurations are refused.

      The shards' thresholds, and any given with \`--threshold\`, are judged again on the merged summary;
      when one fails, merge exits 99 after writing it.
    `,
    examples: [['Merge three shards', '$0 merge results.shard-*-of-3.ndjson.summary.json --out results.summary.json']],
  });

  out = Option.String('--out', { required: true, description: 'Where to write the merged summary' });
  json = Option.Boolean('--json', false, { description: 'Print the merged summary as JSON instead of a table' });
  threshold = Option.Array('--threshold', [], {
    description: "A pass/fail criterion judged on the merged summary, e.g. 'all: p99 < 200ms' (repeatable)",
  });
  junit = Option.String('--junit', { description: 'Write the thresholds as JUnit XML to this file' });
  summaries = Option.Rest({ required: 1, name: 'SUMMARY' });

  async run(): Promise<number> {
    await checkOutputs(
      this.summaries.map((path) => ({ role: 'a summary', path })),
      [{ role: '--out', path: this.out }, ...(this.junit === undefined ? [] : [{ role: '--junit', path: this.junit }])],
    );
    const inputs = await Promise.all(this.summaries.map(async (file) => ({ file, summary: await readSummary(file) })));
    const thresholds = [
      ...thresholdsOfSummaries(inputs),
      ...commandLineThresholds(this.threshold).map((t) => t.threshold),
    ];
    const sum = mergeSummaries(inputs);
    const merged = thresholds.length === 0 ? sum : withThresholds(sum, evaluateThresholds(thresholds, sum));
    const file = await AtomicFile.create(this.out);
    await file.write(`${JSON.stringify(merged, null, 2)}\n`);
    await file.commit();
    const info = merged.meta.merged as { shards: number[]; of?: number; complete?: boolean };
    if (info.of !== undefined && info.complete === false)
      this.context.stderr.write(`drtp: only shards ${info.shards.join(', ')} of ${info.of} were merged\n`);
    this.context.stdout.write(
      this.json
        ? `${JSON.stringify(merged, null, 2)}\n`
        : `${formatSummary(merged)}\nmerged ${inputs.length} summaries into ${this.out}\n`,
    );
    return thresholdsOutcome(merged, this.junit, `drtp merge ${this.out}`, this.context.stderr);
  }
}
