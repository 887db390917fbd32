#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Builtins, Cli } from 'clipanion';
import { packageRoot } from '../lib/paths.js';
import { reportError } from './base.js';
import { ImportCommand } from './commands/import.js';
import { SynthCommand } from './commands/synth.js';
import { ValidateCommand } from './commands/validate.js';

const { version } = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };

export function buildCli(): Cli {
  const cli = new Cli({
    binaryLabel: 'drtp, the Docker Registry Trace Player',
    binaryName: 'drtp',
    binaryVersion: version,
    enableColors: process.stdout.isTTY === true && process.env.NO_COLOR === undefined,
  });
  cli.register(Builtins.HelpCommand);
  cli.register(Builtins.VersionCommand);
  for (const command of [SynthCommand, ImportCommand, ValidateCommand]) cli.register(command);
  return cli;
}

try {
  process.exitCode = await buildCli().run(process.argv.slice(2), Cli.defaultContext);
} catch (err) {
  process.exitCode = reportError(err, process.stderr);
}
