/**
 * Runs `work` with an AbortSignal that the first SIGINT or SIGTERM aborts, so the work can stop cleanly
 * and write what it has. A second signal ends the process at once (files already written stay valid,
 * since every output is written atomically).
 */
export async function interruptible<T>(stderr: NodeJS.WritableStream, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.kill(process.pid, signal);
      return;
    }
    stderr.write(`\ndrtp: ${signal}: stopping; finishing requests in flight and writing results (again to quit at once)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
