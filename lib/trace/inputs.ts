import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { DrtpError } from '../errors.js';
import { ioError } from '../fsutil/io-error.js';

/** Names a trace input can have: JSON, NDJSON (either gzip-compressed), .drtp tables, tar archives, libCacheSim's oracleGeneral. */
const TRACE_NAME = /\.(json|ndjson|jsonl)(\.gz)?$|\.drtp$|\.tar$|\.tar\.gz$|\.tgz$|\.oraclegeneral(\.bin)?(\.zst)?$/i;

/** A tar archive of trace files, as the IBM traces are downloaded (read as a stream, never unpacked). */
export function isArchive(path: string): boolean {
  return /\.(tar|tar\.gz|tgz)$/i.test(path);
}

/** Whether a path names an oracleGeneral trace (libCacheSim's names: `x.oracleGeneral`, `.oracleGeneral.bin`, `.zst` of either). */
export function isOracleGeneral(path: string): boolean {
  return /\.oraclegeneral(\.bin)?(\.zst)?$/i.test(basename(path));
}

/** A member of an archive that is a trace file (JSON or NDJSON, gzip-compressed or not). */
export function isTraceMember(name: string): boolean {
  return /\.(json|ndjson|jsonl)(\.gz)?$/i.test(name) && !name.split('/').some((part) => part.startsWith('._'));
}

/**
 * The trace inputs named by paths given: files as they are, directories as the trace files under them
 * (by name, sorted, subdirectories included), except hidden files (drtp's own temp files among them) and
 * `exclude`, the command's own outputs: `import DIR --out DIR/all.drtp` must not read its last output.
 * A directory without trace files is an E_IO naming it.
 */
export async function traceInputs(paths: readonly string[], exclude: readonly string[] = []): Promise<string[]> {
  const skip = new Set(exclude.map((p) => resolve(p)));
  const out: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (info === undefined || !info.isDirectory()) {
      out.push(path);
      continue;
    }
    const found = (await traceFilesUnder(path)).filter((file) => !skip.has(resolve(file)));
    if (found.length === 0)
      throw new DrtpError(
        'E_IO',
        `cannot read trace directory ${path}: it holds no trace files (.json, .json.gz, .ndjson, .drtp, .tar, .tar.gz, .oracleGeneral)`,
        { file: path },
      );
    out.push(...found);
  }
  return out;
}

async function traceFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((err: unknown) => {
    throw ioError(err, 'read trace directory', dir);
  });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await traceFilesUnder(path)));
    else if (TRACE_NAME.test(entry.name) && !entry.name.startsWith('.')) files.push(path);
  }
  return files;
}

/** The size of each file in bytes, 0 for one that cannot be stat'ed (its read reports why): for sizing and sharing work. */
export function fileSizes(files: readonly string[]): Promise<number[]> {
  return Promise.all(
    files.map((f) =>
      stat(f).then(
        (s) => s.size,
        () => 0,
      ),
    ),
  );
}
