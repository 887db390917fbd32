import { Builtins, Cli, type BaseContext } from 'clipanion';
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

export const COMMANDS = [SynthCommand, ImportCommand, ValidateCommand, WarmupCommand, RunCommand, DemoCommand, MergeCommand, SimulateCommand, AnalyzeCommand, ReportCommand];

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
