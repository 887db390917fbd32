import { Command, Option } from 'clipanion';
import { writeSynthTrace } from '../../lib/trace/synth-files.js';
import { Progress } from '../../lib/term/progress.js';
import { BaseCommand, numberFlag } from '../base.js';

/** The most records one synth writes: 25 times the IBM corpus, hundreds of GB of JSON. */
const MAX_REQUESTS = 1_000_000_000;

export class SynthCommand extends BaseCommand {
  static paths = [['synth']];
  static usage = Command.Usage({
    category: 'Traces',
    description: 'Write a synthetic trace in the IBM format',
    details: `
      Writes N records as IBM-format trace files (JSON arrays, or .json.gz with --gzip) in DIR: pulls
      (a manifest GET then the missing layers), pushes (HEAD + PUT per new layer, then the manifest),
      Zipf-like popularity, heavy-tailed layer sizes, a few failures. The same arguments always give
      byte-identical files. The README lists the figures the model takes from the FAST'18 paper.
    `,
    examples: [
      ['A 10,000-request trace in two files', '$0 synth --out traces --requests 10000 --seed 1 --files 2'],
      [
        'A small demo trace with layers of at most 4 MB',
        '$0 synth --out traces --requests 300 --seed 7 --max-layer-size 4000000',
      ],
    ],
  });

  out = Option.String('--out', { required: true, description: 'Directory to write the files in' });
  requests = Option.String('--requests', { required: true, description: 'Records in all' });
  seed = Option.String('--seed', '1', { description: 'Random seed (default 1)' });
  clients = Option.String('--clients', { description: 'Distinct clients (default: requests / 50, at least 4)' });
  repos = Option.String('--repos', { description: 'Distinct repositories (default: requests / 40, at least 8)' });
  files = Option.String('--files', '1', { description: 'Files to split the trace into (default 1)' });
  rate = Option.String('--rate', '10', { description: 'Mean requests per second (default 10)' });
  maxLayerSize = Option.String('--max-layer-size', { description: 'Largest layer in bytes (default 2 GiB)' });
  dataCenter = Option.String('--dc', 'dal09', { description: 'Data center in the file names (default dal09)' });
  gzip = Option.Boolean('--gzip', false, { description: 'Write .json.gz files' });

  async run(): Promise<number> {
    // The generator keeps every client and repository in memory (requests / 50 and / 40 by default).
    const requests = numberFlag('--requests', this.requests, { integer: true, min: 1, max: MAX_REQUESTS }) as number;
    const progress = new Progress(this.context.stderr, 'synth', { unit: 'records' });
    const paths = await writeSynthTrace(
      this.out,
      {
        requests,
        seed: numberFlag('--seed', this.seed, { integer: true }) as number,
        clients: numberFlag('--clients', this.clients, { integer: true, min: 1, max: MAX_REQUESTS / 10 }),
        repos: numberFlag('--repos', this.repos, { integer: true, min: 1, max: MAX_REQUESTS / 10 }),
        files: numberFlag('--files', this.files, { integer: true, min: 1 }),
        rate: numberFlag('--rate', this.rate, { min: 1e-6 }),
        maxLayerBytes: numberFlag('--max-layer-size', this.maxLayerSize, { integer: true, min: 100 }),
        dataCenter: this.dataCenter,
        gzip: this.gzip,
      },
      (written) => progress.update(written, requests),
    );
    progress.stop();
    for (const p of paths) this.context.stdout.write(`${p}\n`);
    return 0;
  }
}
