import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { DrtpError } from '../errors.js';
import { ioError } from '../fsutil/io-error.js';
import { isArchive, isTraceMember } from './inputs.js';
import { openInput } from './input-stream.js';

export interface ArchiveMember {
  /** The member's path inside the archive. */
  name: string;
  /** Its (possibly gzip-compressed) content; read it whole before asking for the next member. */
  content: Readable;
}

const GZIP = /\.(tar\.gz|tgz)$/i;

/**
 * The trace files inside a tar archive (`.tar`, `.tar.gz`), one after another as the archive streams
 * by: nothing is unpacked to disk. Other members are skipped; archives inside it are told to
 * `onNestedArchive` (not read: one level is read). `onDiskBytes` counts the archive's bytes
 * read, for progress.
 */
export async function* archiveMembers(
  path: string,
  onDiskBytes?: (n: number) => void,
  onNestedArchive?: (member: string) => void,
): AsyncGenerator<ArchiveMember> {
  const disk = await openInput(path, 'read trace archive');
  if (onDiskBytes !== undefined) disk.on('data', (chunk: Buffer) => onDiskBytes(chunk.length));
  const tar = extract();
  const bytes = GZIP.test(path) ? disk.pipe(createGunzip()) : disk;
  const fail = (err: Error): void => void tar.destroy(err);
  disk.on('error', fail);
  if (bytes !== disk) bytes.on('error', fail);
  bytes.pipe(tar);
  try {
    for await (const entry of tar) {
      if (entry.header.type === 'file' && isArchive(entry.header.name)) onNestedArchive?.(entry.header.name);
      if (entry.header.type === 'file' && isTraceMember(entry.header.name))
        yield {
          name: entry.header.name,
          content: Readable.from(memberBytes(path, entry.header.name, entry as AsyncIterable<Buffer>)),
        };
      // Whatever was not read (a skipped member, or the rest of one that failed) is drained.
      entry.resume();
    }
  } catch (err) {
    throw archiveError(path, err);
  } finally {
    disk.destroy();
  }
}

/** A member's bytes; an archive that ends inside it (truncated, or a header claiming more than there is) fails naming both. */
async function* memberBytes(path: string, name: string, entry: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of entry) yield chunk;
  } catch (err) {
    throw archiveError(path, err, name);
  }
}

function archiveError(path: string, err: unknown, member?: string): DrtpError {
  if (err instanceof DrtpError) return err;
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const message = (err as Error).message ?? String(err);
  if (code.startsWith('Z_') || !code.startsWith('E')) {
    const where =
      member === undefined
        ? ''
        : `: the archive ends inside ${member} (truncated, or its header claims more bytes than follow)`;
    return new DrtpError('E_TRACE_PARSE', `${path} is not a readable tar archive${where}: ${message}`, { file: path });
  }
  return ioError(err, 'read trace archive', path);
}
