import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DrtpError } from '../errors.js';
import { ioError } from './io-error.js';
import { keepOnQuit, removeOnQuit } from './atomic.js';

/**
 * Claims `output` for this process (a hidden `.NAME.lock` beside it holding the PID), so that two runs
 * into one output do not interleave their rows: a second run while the first lives is E_USAGE. A lock
 * whose process is gone (killed, or a second Ctrl-C) is taken over. Returns the release.
 */
export function lockOutput(output: string, role: string): () => void {
  const lock = join(dirname(output), `.${basename(output)}.lock`);
  try {
    mkdirSync(dirname(output), { recursive: true });
  } catch (err) {
    throw ioError(err, 'create the directory of', output);
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
      // A second Ctrl-C ends the process at once: its lock goes with its temp files.
      removeOnQuit(lock);
      return () => {
        keepOnQuit(lock);
        rmSync(lock, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError(err, 'lock', output);
    }
    const holder = Number(readFileSync(lock, 'latin1').trim());
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
      throw new DrtpError(
        'E_USAGE',
        `another drtp (pid ${holder}) is writing ${role} ${output} (its lock: ${lock}): wait for it to end, or give this run another output`,
        { file: output },
      );
    }
    rmSync(lock, { force: true });
  }
  throw new DrtpError('E_IO', `cannot lock ${output}: ${lock} keeps coming back`, { file: output });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
