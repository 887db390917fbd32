import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { MODELS } from '../cache/index.js';

/** The original player's shipped models, run as drtp's built-ins when no file of that name is there. */
export const ORIGINAL_MODELS = ['cache.py', 'prefetch.py'] as const;
export type OriginalModel = (typeof ORIGINAL_MODELS)[number];

/** What a `simulate.name` names. */
export type ModelRef =
  | { kind: 'builtin'; name: string }
  | { kind: 'original'; name: OriginalModel }
  | { kind: 'module'; path: string }
  | { kind: 'python'; path: string }
  | { kind: 'problem'; message: string };

const MODULE = /\.(js|mjs|ts)$/;

/**
 * Resolves a model name against the configuration's directory: a built-in; a `.js`/`.mjs`/`.ts` module or
 * a `.py` file that exists; `cache.py` or `prefetch.py` with no such file there, the original's shipped
 * models. Anything else is a problem saying what would do. Used by `validate` and `simulate` alike.
 */
export function resolveModel(name: string, baseDir: string): ModelRef {
  if (MODELS[name] !== undefined) return { kind: 'builtin', name };
  const path = isAbsolute(name) ? name : resolve(baseDir, name);
  const isPython = name.endsWith('.py');
  if (isPython || MODULE.test(name)) {
    if (existsSync(path)) return isPython ? { kind: 'python', path } : { kind: 'module', path };
    const original = ORIGINAL_MODELS.find((m) => m === name);
    if (original !== undefined) return { kind: 'original', name: original };
    return { kind: 'problem', message: `model file ${path} does not exist` };
  }
  return {
    kind: 'problem',
    message: `no built-in model "${name}" (built-in: ${Object.keys(MODELS).join(', ')}; the original's cache.py and prefetch.py; or the path of a .py file, or a .js, .mjs or .ts module)`,
  };
}
