import { randomUUID } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DrtpError } from '../errors.js';
import { METHOD_NAMES } from '../trace/request.js';
import type { TraceTable } from '../trace/table.js';
import type TypeScriptApi from 'typescript';

/** A request as the original player handed it to a simulation plugin's `init`. */
export interface OriginalRequest {
  /** Seconds since the first request. */
  delay: number;
  uri: string;
  size: number;
  method: string;
  /** Traced duration, seconds. */
  duration: number;
  client: string;
}

/** The requests in the original's documented shape, sorted by time (for user models only: one object each). */
export function originalRequests(table: TraceTable): OriginalRequest[] {
  const { size, method, duration } = table.columns;
  return Array.from({ length: table.length }, (_, i) => ({
    delay: table.offsetMs(i) / 1000,
    uri: table.uri(i),
    size: size[i],
    method: METHOD_NAMES[method[i]],
    duration: duration[i],
    client: table.pools.clients.get(table.columns.client[i]),
  }));
}

type Init = (requests: OriginalRequest[], args?: Record<string, unknown>) => unknown;

/**
 * Runs a user model, as the original ran a plugin: `init(requests, args)` when the configuration gives
 * arguments, `init(requests)` when it does not. `.js`/`.mjs` modules are imported as they are; a `.ts`
 * module is transpiled with TypeScript next to itself (so its relative imports resolve) and removed after.
 */
export async function runUserModel(
  path: string,
  table: TraceTable,
  args: Record<string, unknown> | undefined,
): Promise<unknown> {
  const init = await loadInit(path);
  try {
    const requests = originalRequests(table);
    return await (args === undefined ? init(requests) : init(requests, args));
  } catch (err) {
    throw new DrtpError('E_CONFIG', `${path}: init() threw: ${(err as Error)?.message ?? String(err)}`, {
      file: path,
      cause: err,
    });
  }
}

async function loadInit(path: string): Promise<Init> {
  let mod: { init?: unknown; default?: { init?: unknown } };
  try {
    mod = path.endsWith('.ts')
      ? await importTypeScript(path)
      : ((await import(pathToFileURL(path).href)) as typeof mod);
  } catch (err) {
    if (err instanceof DrtpError) throw err;
    throw new DrtpError('E_CONFIG', `${path}: cannot load the model: ${(err as Error).message}`, {
      file: path,
      cause: err,
    });
  }
  const init = mod.init ?? mod.default?.init;
  if (typeof init !== 'function')
    throw new DrtpError('E_CONFIG', `${path}: the model exports no init(requests, args) function`, { file: path });
  return init as Init;
}

async function importTypeScript(path: string): Promise<{ init?: unknown }> {
  let ts: typeof TypeScriptApi;
  try {
    ts = (await import('typescript')).default;
  } catch {
    throw new DrtpError(
      'E_CONFIG',
      `${path}: a .ts model needs the typescript package (npm install typescript), or give the model as .js`,
      { file: path },
    );
  }
  const source = await readFile(path, 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    fileName: path,
  });
  // A name of its own: a sweep's worker threads share the pid and load the same model in the same
  // millisecond, and a name made of those two let one thread overwrite or remove another's file.
  const temp = join(dirname(path), `.${basename(path)}.drtp-${randomUUID()}.mjs`);
  await writeFile(temp, outputText);
  try {
    return (await import(pathToFileURL(temp).href)) as { init?: unknown };
  } finally {
    await rm(temp, { force: true });
  }
}
