import { DrtpError } from '../errors.js';

/** What an errno means to a person, for the codes a user or the machine causes. */
const REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'it is a directory, not a file',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EEXIST: 'a file stands where a directory is needed',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'the file system is read-only',
  EFBIG: 'the file is too large for the file system',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
  EIO: 'the device reported an I/O error',
};
/** Out of a resource of this machine, not a problem with the file itself. */
const RESOURCES: Record<string, string> = {
  EMFILE: 'too many open files (raise the limit with `ulimit -n`)',
  ENFILE: 'too many open files on this machine',
  ENOMEM: 'out of memory',
};

/**
 * The error for a failed file operation: E_IO naming the path and what went wrong in words (E_RESOURCE
 * when the machine ran out of file descriptors or memory). The one place errnos become codes.
 */
export function ioError(err: unknown, action: string, path: string): DrtpError {
  if (err instanceof DrtpError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
  const resource = RESOURCES[code];
  if (resource !== undefined)
    return new DrtpError('E_RESOURCE', `cannot ${action} ${path}: ${resource}`, { file: path, cause: err });
  const reason = REASONS[code] ?? (err instanceof Error ? err.message : String(err));
  return new DrtpError(
    'E_IO',
    `cannot ${action} ${path}: ${reason}${code !== '' && REASONS[code] !== undefined ? ` (${code})` : ''}`,
    { file: path, cause: err },
  );
}
