import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { DrtpError } from '../errors.js';
import { METHOD_NAMES } from '../trace/request.js';
import type { TraceTable } from '../trace/table.js';
import { PYTHON_HARNESS } from './python-harness.js';

/** Rows per chunk handed to Python: one JSON line of columns each, so no giant string is ever made. */
const CHUNK_ROWS = 65_536;
/** How much of the model's stderr is kept for an error message (all of it is passed through). */
const STDERR_TAIL = 16_384;

export interface PythonModelOptions {
  /** The interpreter: `simulate.python`, else `python3` on the PATH. */
  python?: string;
  /** Where the model's prints go: drtp's stdout, or its stderr when stdout carries JSON. */
  stdout?: 'stdout' | 'stderr';
}

interface HarnessResult {
  ok: boolean;
  stats?: unknown;
  stage?: 'import' | 'init-missing' | 'init';
  error?: string;
  frame?: string | null;
}

/**
 * Runs a Python model as the original's master.py ran a plugin: `init(requests, args)` when the
 * configuration gives arguments, else `init(requests)`, with the original's request list (the table's
 * rows, as `originalRequests` gives them to JS models). The rows are streamed to the interpreter in
 * chunks of columns, with backpressure: drtp never holds a second copy of the trace. Returns what
 * `init` returned (when it is JSON), as a point's stats. Every failure is E_CONFIG naming the file.
 */
export async function runPythonModel(
  path: string,
  table: TraceTable,
  args: Record<string, unknown> | undefined,
  options: PythonModelOptions = {},
): Promise<unknown> {
  const python = options.python ?? 'python3';
  const child = spawn(python, ['-u', '-c', PYTHON_HARNESS, path], {
    stdio: ['pipe', options.stdout === 'stderr' ? 2 : 1, 'pipe', 'pipe'],
  });
  let stderrTail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk);
    stderrTail = (stderrTail + chunk.toString()).slice(-STDERR_TAIL);
  });
  let resultText = '';
  (child.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => (resultText += chunk.toString()));
  const exited = new Promise<{ code: number | null; spawnError?: NodeJS.ErrnoException }>((resolve) => {
    child.once('error', (err: NodeJS.ErrnoException) => resolve({ code: null, spawnError: err }));
    child.once('close', (code) => resolve({ code }));
  });
  // The model may stop reading (a load error, or an init that does not need them all): that ends the feed, not the run.
  const stdin = child.stdin as Writable;
  stdin.on('error', () => undefined);
  const fed = feed(stdin, table, args).catch(() => undefined);
  const [{ code, spawnError }] = await Promise.all([exited, fed]);
  if (spawnError !== undefined) {
    const missing = spawnError.code === 'ENOENT';
    throw new DrtpError(
      'E_CONFIG',
      `${path}: ${missing ? `no Python to run it: ${python} is not on the PATH (install python3, or set simulate.python)` : `cannot start ${python}: ${spawnError.message}`}`,
      { file: path, path: '/simulate/python' },
    );
  }
  const result = parseResult(resultText);
  if (result?.ok === true) return result.stats ?? null;
  throw new DrtpError('E_CONFIG', `${path}: ${describeFailure(result, code, stderrTail)}`, { file: path });
}

/** The header line, then the table's rows as chunks of columns. */
async function feed(stdin: Writable, table: TraceTable, args: Record<string, unknown> | undefined): Promise<void> {
  await write(stdin, `${JSON.stringify(args === undefined ? {} : { args })}\n`);
  const { size, method, duration, client } = table.columns;
  const clients = table.pools.clients;
  for (let from = 0; from < table.length; from += CHUNK_ROWS) {
    const to = Math.min(table.length, from + CHUNK_ROWS);
    const rows = Array.from({ length: to - from }, (_, k) => from + k);
    const chunk = {
      delay: rows.map((i) => table.offsetMs(i) / 1000),
      uri: rows.map((i) => table.uri(i)),
      size: rows.map((i) => size[i]),
      method: rows.map((i) => METHOD_NAMES[method[i]]),
      duration: rows.map((i) => duration[i]),
      client: rows.map((i) => clients.get(client[i])),
    };
    await write(stdin, `${JSON.stringify(chunk)}\n`);
  }
  stdin.end();
}

function write(stream: Writable, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (stream.destroyed) return reject(new Error('closed'));
    if (stream.write(text)) return resolve();
    const onDrain = (): void => {
      stream.off('close', onClose);
      resolve();
    };
    const onClose = (): void => {
      stream.off('drain', onDrain);
      reject(new Error('closed'));
    };
    stream.once('drain', onDrain);
    stream.once('close', onClose);
  });
}

function parseResult(text: string): HarnessResult | undefined {
  const line = text.trim().split('\n').pop();
  if (line === undefined || line === '') return undefined;
  try {
    return JSON.parse(line) as HarnessResult;
  } catch {
    return undefined;
  }
}

/** What went wrong, in the words of the model's own traceback: its last frame in the file, and the error. */
function describeFailure(result: HarnessResult | undefined, code: number | null, stderrTail: string): string {
  const at = result?.frame === undefined || result.frame === null ? '' : ` (${result.frame})`;
  switch (result?.stage) {
    case 'import': {
      const python2 = /Missing parentheses in call to 'print'|invalid syntax/.test(result.error ?? '')
        ? '; a model written for the original under Python 2 runs with simulate.python pointing at a python2'
        : '';
      return `cannot load the model: ${result.error}${at}${python2}`;
    }
    case 'init-missing':
      return `${result.error}: the original calls init(requests) or init(requests, args)`;
    case 'init':
      return `init() raised ${result.error}${at}`;
    default: {
      const last = stderrTail.trim().split('\n').pop() ?? '';
      return `python exited ${code === null ? 'by a signal' : `with status ${code}`} before init returned${last === '' ? '' : `: ${last}`}`;
    }
  }
}
