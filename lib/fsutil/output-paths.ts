import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { DrtpError } from '../errors.js';

/** A file a command reads or writes, and what it is to the command (`--junit`, `trace.output`, ...). */
export interface RolePath {
  role: string;
  path: string;
}

/**
 * Checks a command's outputs before it starts work, so that an hour's replay is not lost to a bad path:
 * each must be writable (E_IO, exit 4, otherwise), and none may be one of the command's inputs or the
 * same file as another of its outputs (E_USAGE, exit 2): `run --junit` at the results file, `report S.json
 * --out S.json`, `analyze t.json --html t.json` would otherwise each replace one file with another.
 * Files are compared as the file system knows them: symbolic links resolved, hard links by device and inode.
 */
export async function checkOutputs(inputs: readonly RolePath[], outputs: readonly RolePath[]): Promise<void> {
  for (const output of outputs) await checkWritable(output);
  const seen = new Map<string, RolePath>();
  for (const input of inputs) seen.set(await identity(input.path), input);
  for (const output of outputs) {
    const key = await identity(output.path);
    const other = seen.get(key);
    if (other !== undefined) {
      const what = inputs.includes(other)
        ? `reads ${other.path} as ${other.role}`
        : `writes ${other.path} as ${other.role} too`;
      throw new DrtpError(
        'E_USAGE',
        `${output.role} ${output.path} is a file this command ${what}: writing it would destroy that; give ${output.role} another path`,
      );
    }
    seen.set(key, output);
  }
}

/**
 * A file's identity: device and inode when it exists, else its resolved path (its directory's
 * symbolic links resolved), so two names of one file compare equal.
 */
async function identity(path: string): Promise<string> {
  const absolute = resolve(path);
  const info = await stat(absolute).catch(() => undefined);
  if (info !== undefined) return `inode:${info.dev}:${info.ino}`;
  const dir = await realpath(dirname(absolute)).catch(() => dirname(absolute));
  return `path:${join(dir, basename(absolute))}`;
}

/** The output's directory, or the nearest one of its ancestors that exists (it will be made), takes new files. */
async function checkWritable(output: RolePath): Promise<void> {
  const existing = await stat(output.path).catch(() => undefined);
  if (existing?.isDirectory() === true)
    throw new DrtpError('E_IO', `cannot write ${output.role} ${output.path}: it is a directory`, { file: output.path });
  let dir = dirname(resolve(output.path));
  for (;;) {
    const info = await stat(dir).catch(() => undefined);
    if (info !== undefined) {
      if (!info.isDirectory())
        throw new DrtpError('E_IO', `cannot write ${output.role} ${output.path}: ${dir} is not a directory`, {
          file: output.path,
        });
      break;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  try {
    await access(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw new DrtpError(
      'E_IO',
      `cannot write ${output.role} ${output.path}: ${dir} is not writable (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
      { file: output.path },
    );
  }
}
