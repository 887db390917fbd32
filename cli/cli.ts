import { Builtins, Cli, type BaseContext, type Command } from 'clipanion';
import { ImportCommand } from './commands/import.js';
import { SynthCommand } from './commands/synth.js';
import { ValidateCommand } from './commands/validate.js';
import { WarmupCommand } from './commands/warmup.js';
import { RunCommand } from './commands/run.js';
import { DemoCommand } from './commands/demo.js';
import { MergeCommand } from './commands/merge.js';
import { SimulateCommand } from './commands/simulate.js';
import { AnalyzeCommand } from './commands/analyze.js';
import { ReportCommand } from './commands/report.js';
import { drtpVersion } from './version.js';

export const COMMANDS = [
  SynthCommand,
  ImportCommand,
  ValidateCommand,
  WarmupCommand,
  RunCommand,
  DemoCommand,
  MergeCommand,
  SimulateCommand,
  AnalyzeCommand,
  ReportCommand,
];

export function buildCli(options: { colors?: boolean } = {}): Cli<BaseContext> {
  const cli = new Cli({
    binaryLabel: 'drtp, the Docker Registry Trace Player',
    binaryName: 'drtp',
    binaryVersion: drtpVersion(),
    enableColors: options.colors ?? false,
  });
  cli.register(Builtins.HelpCommand);
  cli.register(Builtins.VersionCommand);
  for (const command of COMMANDS) cli.register(command);
  return cli;
}

/**
 * Runs drtp's command line: a command that cannot be parsed (an unknown one, a flag without its value)
 * is a usage error, E_USAGE with exit 2 and what to run for help, like every other bad input.
 */
export async function runDrtp(
  args: string[],
  context: BaseContext,
  options: { colors?: boolean } = {},
): Promise<number> {
  const cli = buildCli(options);
  let command: Command<BaseContext>;
  try {
    command = cli.process(args, context);
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err))
      .split('\n')[0]
      .replace(/(; did you mean.*|\.)$/, '');
    const known = COMMANDS.find((c) => c.paths[0].join(' ') === args[0]);
    const negative = args.some((a, i) => /^-\d/.test(a) && args[i - 1]?.startsWith('--'))
      ? ' (for a negative value, write --flag=-N)'
      : '';
    context.stderr.write(
      `drtp: E_USAGE: ${reason}${negative}; see \`drtp ${known === undefined ? '' : `${args[0]} `}--help\`\n`,
    );
    return 2;
  }
  return cli.run(command, context);
}
