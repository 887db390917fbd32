import { Builtins, Cli, type BaseContext, type Command, type CommandClass } from 'clipanion';
import { drtpVersion } from './version.js';

/**
 * Each command's module by the command's name. A command line loads only the module of the command it
 * names (a run does not load the analysis, nor an analysis undici); help and unknown names load them all.
 */
const COMMAND_MODULES: Record<string, () => Promise<CommandClass<BaseContext>>> = {
  synth: async () => (await import('./commands/synth.js')).SynthCommand,
  import: async () => (await import('./commands/import.js')).ImportCommand,
  validate: async () => (await import('./commands/validate.js')).ValidateCommand,
  warmup: async () => (await import('./commands/warmup.js')).WarmupCommand,
  run: async () => (await import('./commands/run.js')).RunCommand,
  demo: async () => (await import('./commands/demo.js')).DemoCommand,
  merge: async () => (await import('./commands/merge.js')).MergeCommand,
  simulate: async () => (await import('./commands/simulate.js')).SimulateCommand,
  analyze: async () => (await import('./commands/analyze.js')).AnalyzeCommand,
  report: async () => (await import('./commands/report.js')).ReportCommand,
};

export const COMMAND_NAMES = Object.keys(COMMAND_MODULES);

/** The command classes of these names (every command by default), in the order given. */
export async function loadCommands(names: readonly string[] = COMMAND_NAMES): Promise<CommandClass<BaseContext>[]> {
  return Promise.all(names.map((name) => COMMAND_MODULES[name]()));
}

/** What a command line needs loaded: the command it names, none for the version, else all (for help, or to suggest one). */
function commandsFor(args: readonly string[]): readonly string[] {
  if (Object.hasOwn(COMMAND_MODULES, args[0] ?? '')) return [args[0]];
  return args.length === 1 && args[0] === '--version' ? [] : COMMAND_NAMES;
}

/** drtp's command line with these commands registered (every command by default). */
export async function buildCli(
  options: { colors?: boolean } = {},
  names: readonly string[] = COMMAND_NAMES,
): Promise<Cli<BaseContext>> {
  const cli = new Cli({
    binaryLabel: 'drtp, the Docker Registry Trace Player',
    binaryName: 'drtp',
    binaryVersion: drtpVersion(),
    enableColors: options.colors ?? false,
  });
  cli.register(Builtins.HelpCommand);
  cli.register(Builtins.VersionCommand);
  for (const command of await loadCommands(names)) cli.register(command);
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
  const cli = await buildCli(options, commandsFor(args));
  let command: Command<BaseContext>;
  try {
    command = cli.process(args, context);
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err))
      .split('\n')[0]
      .replace(/(; did you mean.*|\.)$/, '');
    const known = COMMAND_NAMES.includes(args[0]);
    const negative = args.some((a, i) => /^-\d/.test(a) && args[i - 1]?.startsWith('--'))
      ? ' (for a negative value, write --flag=-N)'
      : '';
    context.stderr.write(`drtp: E_USAGE: ${reason}${negative}; see \`drtp ${known ? `${args[0]} ` : ''}--help\`\n`);
    return 2;
  }
  return cli.run(command, context);
}
