import { PassThrough } from 'node:stream';
import { Cli } from 'clipanion';
import { buildCli } from '../../cli/cli.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a drtp command in-process with captured output, as the binary would. */
export async function runCli(args: string[]): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await buildCli().run(args, { ...Cli.defaultContext, stdout, stderr });
  return { code, stdout: out, stderr: err };
}
