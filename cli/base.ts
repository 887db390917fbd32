import { Command, Option, UsageError } from 'clipanion';
import type { Config } from '../lib/config/types.js';
import { DrtpError, ERROR_CODES, exitStatusFor, formatLocation, isDrtpError } from '../lib/errors.js';
import { describeConfig } from './report.js';

/**
 * Every command's base, and the one place where errors become exit statuses: commands implement
 * `run()` and return a status; they never call process.exit.
 */
export abstract class BaseCommand extends Command {
  abstract run(): Promise<number>;

  async execute(): Promise<number> {
    try {
      return await this.run();
    } catch (err) {
      return reportError(err, this.context.stderr);
    }
  }
}

/** A command that reads a configuration or traces: --verbose says what it resolved and read. */
export abstract class TraceCommand extends BaseCommand {
  verbose = Option.Boolean('--verbose,-v', false, {
    description: 'Print the resolved configuration (on stderr) and what each trace file gave',
  });

  /**
   * Loads a configuration; with --verbose or its own `verbose: true`, prints it resolved on stderr. The
   * schema's validators load with the first configuration: `drtp analyze TRACES` needs none.
   */
  protected async loadConfig(file: string): Promise<Config> {
    const { loadConfig } = await import('../lib/config/load.js');
    const config = await loadConfig(file);
    if (this.isVerbose(config)) this.context.stderr.write(describeConfig(config));
    return config;
  }

  /** --verbose, or the configuration's `verbose: true` (the original player's key). */
  protected isVerbose(config?: Config): boolean {
    return this.verbose || config?.verbose === true;
  }
}

/** Prints an error the way a person can act on it and returns the exit status for it. */
export function reportError(err: unknown, stderr: NodeJS.WritableStream): number {
  if (err instanceof UsageError) {
    stderr.write(`drtp: ${err.message}\n`);
    return 2;
  }
  if (isDrtpError(err)) {
    const { offset, line } = err.location;
    const where = offset !== undefined || line !== undefined ? `${formatLocation(err.location)}: ` : '';
    stderr.write(`drtp: ${err.code}: ${where}${err.message}\n`);
    if (err.code === 'E_INTERNAL' && err.stack)
      stderr.write(`${err.stack}\nThis is a bug in drtp: please report it.\n`);
    return exitStatusFor(err.code);
  }
  const stack = err instanceof Error ? (err.stack ?? err.message) : String(err);
  stderr.write(`drtp: E_INTERNAL: ${ERROR_CODES.E_INTERNAL}\n${stack}\nThis is a bug in drtp: please report it.\n`);
  return exitStatusFor('E_INTERNAL');
}

/** Parses a numeric flag, or fails with E_USAGE naming the flag. */
export function numberFlag(
  name: string,
  value: string | undefined,
  options: { integer?: boolean; min?: number; max?: number } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  const kind = options.integer ? 'a whole number' : 'a number';
  if (value.trim() === '' || !Number.isFinite(n) || (options.integer && !Number.isInteger(n))) {
    throw new DrtpError('E_USAGE', `${name} must be ${kind}, not "${value}"`);
  }
  if (options.min !== undefined && n < options.min)
    throw new DrtpError('E_USAGE', `${name} must be at least ${options.min}, not ${value}`);
  if (options.max !== undefined && n > options.max)
    throw new DrtpError('E_USAGE', `${name} must be at most ${options.max.toLocaleString('en-US')}, not ${value}`);
  return n;
}
