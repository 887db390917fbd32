import { Command, Option } from 'clipanion';
import { checkConfigFile, formatProblem } from '../../lib/config/load.js';
import { TraceCommand } from '../base.js';

export class ValidateCommand extends TraceCommand {
  static paths = [['validate']];
  static usage = Command.Usage({
    category: 'Configuration',
    description: 'Check a configuration against the JSON Schema',
    details: `
      Prints \`ok\` and exits 0 when CONFIG (YAML or JSON) is valid. Otherwise prints every problem as
      \`file:line: /path/in/config: what is wrong (hint)\` and exits 2. The original trace player's
      configuration keys are accepted unchanged; unknown keys are errors.
    `,
    examples: [['Check a configuration', '$0 validate config.yaml']],
  });

  config = Option.String({ name: 'CONFIG' });

  async run(): Promise<number> {
    const { problems } = await checkConfigFile(this.config);
    if (problems.length === 0) {
      this.context.stdout.write('ok\n');
      if (this.verbose) await this.loadConfig(this.config);
      return 0;
    }
    for (const p of problems) this.context.stdout.write(`${formatProblem(this.config, p)}\n`);
    this.context.stderr.write(
      `drtp: E_CONFIG: ${problems.length} problem${problems.length === 1 ? '' : 's'} in ${this.config}\n`,
    );
    return 2;
  }
}
