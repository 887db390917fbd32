#!/usr/bin/env node
import { Cli } from 'clipanion';
import { reportError } from './base.js';
import { buildCli } from './cli.js';

try {
  const colors = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
  process.exitCode = await buildCli({ colors }).run(process.argv.slice(2), Cli.defaultContext);
} catch (err) {
  process.exitCode = reportError(err, process.stderr);
}
