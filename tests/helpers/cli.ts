import { spawn } from 'node:child_process';
import { join } from 'node:path';
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

export interface BinResult extends CliResult {
  /** The process outlived its bound and was killed: a hang. */
  timedOut: boolean;
  signal: NodeJS.Signals | null;
}

const BIN = join(import.meta.dirname, '../../dist/cli/main.js');

/**
 * Runs the built drtp binary in its own process, killed after `timeoutMs`: a watchdog for jobs that
 * must end, where an in-process hang would hold the test's event loop. `dist/` is built by pretest.
 */
export function runBin(args: string[], options: { timeoutMs: number; cwd?: string; env?: NodeJS.ProcessEnv }): Promise<BinResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr, timedOut, signal });
    });
  });
}
