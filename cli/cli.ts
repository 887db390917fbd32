import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Builtins, Cli, type BaseContext } from 'clipanion';
import { packageRoot } from '../lib/paths.js';
import { ImportCommand } from './commands/import.js';
import { SynthCommand } from './commands/synth.js';
import { ValidateCommand } from './commands/validate.js';
import { WarmupCommand } from './commands/warmup.js';

export const COMMANDS = [SynthCommand, ImportCommand, ValidateCommand, WarmupCommand];

export function drtpVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

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
