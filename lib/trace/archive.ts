import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { DrtpError } from '../errors.js';
import { ioError } from '../fsutil/io-error.js';
import { isTraceMember } from './inputs.js';

export interface ArchiveMember {
  /** The member's path inside the archive. */
  name: string;
  /** Its (possibly gzip-compressed) content; read it whole before asking for the next member. */
  content: Readable;
}

const GZIP = /\.(tar\.gz|tgz)$/i;

/**
 * The trace files inside a tar archive (`.tar`, `.tar.gz`), one after another as the archive streams
 * by: nothing is unpacked to disk. Other members are skipped. `onDiskBytes` counts the archive's bytes
 * read, for progress.
 */
export async function* archiveMembers(path: string, onDiskBytes?: (n: number) => void): AsyncGenerator<ArchiveMember> {
  const disk = createReadStream(path, { highWaterMark: 1 << 20 });
  if (onDiskBytes !== undefined) disk.on('data', (chunk) => onDiskBytes(chunk.length));
  const tar = extract();
  const bytes = GZIP.test(path) ? disk.pipe(createGunzip()) : disk;
  const fail = (err: Error): void => void tar.destroy(err);
  disk.on('error', fail);
  if (bytes !== disk) bytes.on('error', fail);
  bytes.pipe(tar);
  try {
    for await (const entry of tar) {
      if (entry.header.type === 'file' && isTraceMember(entry.header.name)) yield { name: entry.header.name, content: Readable.from(entry) };
      // Whatever was not read (a skipped member, or the rest of one that failed) is drained.
      entry.resume();
    }
  } catch (err) {
    if (err instanceof DrtpError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code.startsWith('Z_') || !code.startsWith('E')) throw new DrtpError('E_TRACE_PARSE', `${path} is not a readable tar archive: ${(err as Error).message}`, { file: path });
    throw ioError(err, 'read trace archive', path);
  } finally {
    disk.destroy();
  }
}
