import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Cli } from 'clipanion';
import { runDrtp } from '../../cli/cli.js';

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
  const code = await runDrtp(args, { ...Cli.defaultContext, stdout, stderr });
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
export function runBin(
  args: string[],
  options: { timeoutMs: number; cwd?: string; env?: NodeJS.ProcessEnv; signals?: TimedSignal[] },
): Promise<BinResult> {
  return spawnWatched(
    process.execPath,
    [BIN, ...args],
    { cwd: options.cwd, env: options.env ?? process.env },
    options.timeoutMs,
    options.signals,
  );
}

/**
 * A signal sent to the process (or to `pid`: a registry it talks to) `afterMs` after it started, or
 * after its output first matches `when`.
 */
export interface TimedSignal {
  signal: NodeJS.Signals;
  afterMs: number;
  when?: RegExp;
  pid?: number;
}

/** Spawns a process, collects its output, and kills it (SIGKILL) once it outlives `timeoutMs`. */
function spawnWatched(
  command: string,
  args: string[],
  spawnOptions: { cwd?: string; env: NodeJS.ProcessEnv },
  timeoutMs: number,
  signals: TimedSignal[] = [],
): Promise<BinResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'] });
    const timers: NodeJS.Timeout[] = [];
    const armed = new Set<TimedSignal>();
    const arm = (s: TimedSignal): void => {
      if (armed.has(s)) return;
      armed.add(s);
      timers.push(
        setTimeout(() => (s.pid === undefined ? child.kill(s.signal) : process.kill(s.pid, s.signal)), s.afterMs),
      );
    };
    for (const s of signals) if (s.when === undefined) arm(s);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const watch = (): void => {
      for (const s of signals) if (s.when?.test(stdout + stderr)) arm(s);
    };
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      watch();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      watch();
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      for (const t of timers) clearTimeout(t);
      resolve({ code: code ?? -1, stdout, stderr, timedOut, signal });
    });
  });
}

/**
 * Runs the built drtp binary with `dir` on a tmpfs of `sizeBytes` (a full disk on demand), in a user
 * and mount namespace of its own (`unshare`: no root needed, nothing mounted outside). `before` runs
 * in that shell first (to put files on the small disk); what is left in `dir` afterwards is listed in
 * `left`, since the mount goes with the namespace.
 */
export async function runBinOnSmallDisk(
  args: string[],
  options: { dir: string; sizeBytes: number; timeoutMs: number; before?: string },
): Promise<BinResult & { left: string[]; files: Record<string, string> }> {
  const marker = '--- drtp test: left on the small disk ---';
  const script = [
    `mount -t tmpfs -o size=${options.sizeBytes} tmpfs "$DIR" || exit 97`,
    options.before ?? ':',
    `"$NODE" "$BIN" "$@"; status=$?`,
    `echo "${marker}"`,
    `cd "$DIR" && find . -type f | sort | while read -r f; do printf '%s\\t%s\\n' "$f" "$(head -c 200 "$f" | tr '\\n\\t' '  ')"; done`,
    'exit $status',
  ].join('\n');
  const unshare = [
    '--user',
    '--map-root-user',
    '--mount',
    '--propagation',
    'private',
    'sh',
    '-c',
    script,
    'sh',
    ...args,
  ];
  const result = await spawnWatched(
    'unshare',
    unshare,
    { env: { ...process.env, DIR: options.dir, NODE: process.execPath, BIN } },
    options.timeoutMs,
  );
  const [out, listing = ''] = result.stdout.split(`${marker}\n`);
  const files: Record<string, string> = {};
  for (const line of listing.split('\n').filter(Boolean)) {
    const [name, head = ''] = line.split('\t');
    files[name.replace(/^\.\//, '')] = head;
  }
  return { ...result, stdout: out, left: Object.keys(files), files };
}
