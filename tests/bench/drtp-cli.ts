/** drtp's command line as the benchmarks run it: a user's command, from this build. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The command line of this build (dist-bench): never a stale dist/. */
export const DRTP_CLI = join(import.meta.dirname, '..', '..', 'cli', 'main.js');

/**
 * `drtp synth --requests REQUESTS` with `synthFlags`, imported to `dir/trace.drtp`: made once into
 * `dir` (bench-data), kept for later runs. Returns the table's path.
 */
export function synthTable(dir: string, requests: number, synthFlags: readonly string[] = []): string {
  const table = join(dir, 'trace.drtp');
  if (existsSync(table)) return table;
  const traces = join(dir, 'json');
  mkdirSync(dir, { recursive: true });
  execFileSync(process.execPath, [DRTP_CLI, 'synth', '--requests', String(requests), ...synthFlags, '--out', traces]);
  execFileSync(process.execPath, [
    DRTP_CLI,
    'import',
    ...readdirSync(traces).map((f) => join(traces, f)),
    '--out',
    table,
  ]);
  return table;
}
