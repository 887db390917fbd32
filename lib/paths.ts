import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/**
 * The package's root directory (holding package.json and schemas/), found by walking up from this
 * module: the same code runs from the TypeScript sources under tests and from dist/ when installed.
 */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'schemas'))) return (root = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error('drtp: cannot find the package root (package.json + schemas/)');
    dir = parent;
  }
}
