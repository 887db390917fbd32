import { Command, Option } from 'clipanion';
import { simulate } from '../../actors/simulate-master.js';
import { MODELS } from '../../lib/cache/index.js';
import { loadConfig } from '../../lib/config/load.js';
import { loadConfiguredTrace } from '../../lib/config/trace.js';
import { DrtpError } from '../../lib/errors.js';
import { BaseCommand } from '../base.js';
import { describeRead } from '../report.js';

export class SimulateCommand extends BaseCommand {
  static paths = [['simulate']];
  static usage = Command.Usage({
    category: 'Simulation',
    description: 'Replay the trace through cache models instead of a registry',
    details: `
      Replays the configuration's trace through the model named by \`simulate.name\` with \`simulate.args\`.
      Built-in models: ${Object.keys(MODELS).join(', ')}. \`two-level\` is the paper's memory + file-system layer
      cache, counter for counter as the original player's cache.py computed it (args \`cache_size\` in GiB,
      \`restrict_mb\`, \`fs_multiplier\`); \`prefetch\` is the paper's prefetcher as prefetch.py (args \`rtimeout\`,
      \`mtimeout\` in seconds, \`compat\`: original or default); \`lru\`, \`fifo\`, \`lfu\`, \`s3-fifo\` and \`opt\` are
      single-tier layer caches (\`capacity_gb\`).
      As the original, the simulation sees the trace's failed requests too unless \`trace.include_failed\`
      is set to false.
    `,
    examples: [['Simulate the paper cache', '$0 simulate config.yaml --json']],
  });

  config = Option.String({ name: 'CONFIG' });
  json = Option.Boolean('--json', false, { description: 'Print {"points": [{model, args, stats}]} as JSON' });

  async run(): Promise<number> {
    const config = await loadConfig(this.config);
    if (config.simulate === undefined) throw new DrtpError('E_CONFIG', `${this.config}: /simulate is required for simulate (at least simulate.name)`, { path: '/simulate' });
    const trace = await loadConfiguredTrace(config, { includeFailedByDefault: true });
    const points = simulate(trace.table, [config.simulate.name], config.simulate.args ?? {});
    if (this.json) {
      this.context.stdout.write(`${JSON.stringify({ points }, null, 2)}\n`);
      return 0;
    }
    this.context.stdout.write(describeRead(trace.stats, trace.counts));
    for (const p of points) {
      this.context.stdout.write(`\n${p.model} ${JSON.stringify(p.args)}\n`);
      for (const [name, value] of Object.entries(p.stats)) this.context.stdout.write(`  ${name.padEnd(34)} ${Number.isInteger(value) ? value : value.toFixed(4)}\n`);
    }
    return 0;
  }
}
