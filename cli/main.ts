#!/usr/bin/env node
// Signals are handled from the first line: the commands and their modules load after this.
import { installSignalHandlers } from './signals.js';

installSignalHandlers(process.stderr);
const { Cli } = await import('clipanion');
const { reportError } = await import('./base.js');
try {
  const { runDrtp } = await import('./cli.js');
  const colors = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
  process.exitCode = await runDrtp(process.argv.slice(2), Cli.defaultContext, { colors });
} catch (err) {
  process.exitCode = reportError(err, process.stderr);
}
