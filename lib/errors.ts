/**
 * Every error drtp raises on purpose carries a stable `code`. Codes are append-only: never reuse or
 * reassign one (the README lists them). Match on `err.code`, not `instanceof`: errors cross worker
 * threads as plain data (`toData()`: code and message), never as Error objects.
 */
export const ERROR_CODES = {
  /** A flag or argument that cannot be used as given. */
  E_USAGE: 'a command-line flag or argument is wrong',
  /** The configuration file is unreadable or does not match schemas/config.schema.json. */
  E_CONFIG: 'the configuration is invalid',
  /** A trace file holds a record that cannot be read (strict mode) or cannot be opened. */
  E_TRACE_PARSE: 'a trace record cannot be parsed',
  /** A file cannot be read or written. */
  E_IO: 'a file cannot be read or written',
  /** A .drtp table file is not one drtp wrote, or is from an incompatible version. */
  E_TABLE_FORMAT: 'a .drtp file is damaged or of another version',
  /** A registry answered with an unexpected HTTP status. */
  E_REGISTRY_HTTP: 'a registry answered with an error status',
  /** A registry did not answer in time. */
  E_REGISTRY_TIMEOUT: 'a registry did not answer in time',
  /** A registry could not be reached. */
  E_REGISTRY_CONNECT: 'a registry could not be reached',
  /** Content pulled from a registry does not hash to the digest asked for. */
  E_DIGEST_MISMATCH: 'content does not match its digest',
  /** A state the code believes impossible: a bug in drtp. */
  E_INTERNAL: 'internal error',
  /** Summaries given to `drtp merge` are not shards of one run. */
  E_MERGE: 'summaries of different runs cannot be merged',
  /** A request cannot be sent as the trace or map gives it (an invalid path or header): refused locally. */
  E_INVALID_REQUEST: 'a request cannot be sent as given',
  /** A limit of this machine was reached (open files, sockets, memory). */
  E_RESOURCE: 'a limit of this machine was reached',
  /** A registry redirected one request more than 10 times (a loop). */
  E_REGISTRY_REDIRECTS: 'a registry redirected a request too many times',
  /** A request was in flight when the run was stopped, and was cut off. */
  E_INTERRUPTED: 'the run was stopped with the request in flight',
  /** A registry answered a GET whole, with a success status, but with other than the warmed size. */
  E_SIZE_MISMATCH: 'a registry served other than the warmed size',
  /** A summary or results file given to report or merge is damaged, or not one drtp wrote. */
  E_SUMMARY_FORMAT: "a summary or results file is damaged or not drtp's",
  /** `client_info.protocol: h2` and a registry that does not offer HTTP/2 over TLS. */
  E_REGISTRY_PROTOCOL: 'a registry does not speak the HTTP version asked for',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Where in a file an error was found. */
export interface ErrorLocation {
  file?: string;
  /** Byte offset in the (decompressed) file. */
  offset?: number;
  /** 1-based line, where known. */
  line?: number;
  /** JSON pointer into a configuration, e.g. `/trace/limit/type`. */
  path?: string;
}

/** The plain-data form of an error, as it crosses a thread boundary. */
export interface ErrorData extends ErrorLocation {
  code: ErrorCode;
  message: string;
  statusCode?: number;
}

export class DrtpError extends Error {
  readonly code: ErrorCode;
  readonly location: ErrorLocation;
  readonly statusCode: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: ErrorLocation & { cause?: unknown; statusCode?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DrtpError';
    this.code = code;
    const { cause: _cause, statusCode, ...location } = options;
    this.location = location;
    this.statusCode = statusCode;
  }

  /** The error again, from its data form (after a thread hop). */
  static fromData(data: ErrorData): DrtpError {
    const { code, message, statusCode, ...location } = data;
    return new DrtpError(code, message, { ...location, ...(statusCode === undefined ? {} : { statusCode }) });
  }

  toData(): ErrorData {
    return {
      code: this.code,
      message: this.message,
      ...this.location,
      ...(this.statusCode === undefined ? {} : { statusCode: this.statusCode }),
    };
  }
}

export function isDrtpError(err: unknown): err is DrtpError {
  if (!(err instanceof Error)) return false;
  const code = (err as Error & { code?: unknown }).code;
  return typeof code === 'string' && code in ERROR_CODES;
}

/**
 * Exit status per code: 2 for bad input a person can fix (usage, config, trace), 3 for a registry that
 * misbehaves, 4 for I/O and this machine's limits, 70 (EX_SOFTWARE) for bugs.
 */
export function exitStatusFor(code: ErrorCode): number {
  switch (code) {
    case 'E_USAGE':
    case 'E_CONFIG':
    case 'E_TRACE_PARSE':
    case 'E_TABLE_FORMAT':
    case 'E_MERGE':
    case 'E_INVALID_REQUEST':
    case 'E_SUMMARY_FORMAT':
      return 2;
    case 'E_REGISTRY_HTTP':
    case 'E_REGISTRY_TIMEOUT':
    case 'E_REGISTRY_CONNECT':
    case 'E_DIGEST_MISMATCH':
    case 'E_REGISTRY_REDIRECTS':
    case 'E_SIZE_MISMATCH':
    case 'E_REGISTRY_PROTOCOL':
      return 3;
    case 'E_IO':
    case 'E_RESOURCE':
      return 4;
    case 'E_INTERRUPTED':
      return 130;
    case 'E_INTERNAL':
      return 70;
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

/** `file:offset`, the form every located trace error is printed in (`file:offset: reason`). */
export function formatLocation(loc: ErrorLocation): string {
  const parts: string[] = [];
  if (loc.file !== undefined) parts.push(loc.file);
  if (loc.line !== undefined) parts.push(`${loc.line}`);
  else if (loc.offset !== undefined) parts.push(`${loc.offset}`);
  if (loc.path !== undefined) parts.push(loc.path);
  return parts.join(':');
}

/** Any error as data to cross a thread or go into a result: drtp's keep their code; anything else is a bug (E_INTERNAL, with its stack). */
export function errorData(err: unknown): ErrorData {
  return isDrtpError(err)
    ? err.toData()
    : { code: 'E_INTERNAL', message: String((err as Error | undefined)?.stack ?? err) };
}
