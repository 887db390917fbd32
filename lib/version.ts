import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './paths.js';

let version: string | undefined;

export function drtpVersion(): string {
  return (version ??= (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string })
    .version);
}

/** The User-Agent of the requests drtp makes of its own (warmup, manifests, tokens). */
export function drtpUserAgent(): string {
  return `drtp/${drtpVersion()}`;
}
