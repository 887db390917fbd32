import { removePendingTempFiles } from '../lib/fsutil/atomic.js';

/** The work a signal stops cleanly, if any is under way. */
let current: { controller: AbortController; stderr: NodeJS.WritableStream } | undefined;
let installed = false;

/**
 * Handles SIGINT and SIGTERM for the whole process, from its first line: the first signal during
 * `interruptible` work stops that work (it finishes what is in flight and writes what it has); any
 * other signal (a second one, or one before such work started) removes the temp files of writes under
 * way and ends the process with 130, so no signal leaves a torn or stray file behind.
 */
export function installSignalHandlers(stderr: NodeJS.WritableStream): void {
  if (installed) return;
  installed = true;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (current !== undefined && !current.controller.signal.aborted) {
      current.stderr.write(
        `\ndrtp: ${signal}: stopping; finishing requests in flight and writing results (again to quit at once)\n`,
      );
      current.controller.abort();
      return;
    }
    removePendingTempFiles();
    stderr.write(`\ndrtp: ${signal}: quitting; files written before stay as they were\n`);
    // The one exit outside the top-level catch: a signal must end the process whatever is awaited.
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/**
 * Runs `work` with an AbortSignal that the first SIGINT or SIGTERM aborts, so the work can stop cleanly
 * and write what it has. A second signal ends the process (see installSignalHandlers).
 */
export async function interruptible<T>(
  stderr: NodeJS.WritableStream,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const previous = current;
  const controller = new AbortController();
  current = { controller, stderr };
  try {
    return await work(controller.signal);
  } finally {
    current = previous;
  }
}
