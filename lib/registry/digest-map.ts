import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DrtpError } from '../errors.js';
import { writeFileAtomic } from '../fsutil/atomic.js';
import { ioError } from '../fsutil/io-error.js';

/** What warmup recorded for a URI: the digest pushed, or why the push failed. */
export type DigestEntry = string | { failed: string };

/**
 * The warmup map: trace URI -> digest, the original player's `interm.json` shape
 * (`{"<uri>": "sha256:..."}`), plus `{"failed": "<reason>"}` for pushes that failed. The original's
 * `"bad"` marker is read as a failure.
 */
export type DigestMap = Map<string, DigestEntry>;

/** A digest as the OCI image spec writes one: `algorithm:encoded`. */
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

export async function readDigestMap(path: string): Promise<DigestMap> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw ioError(err, 'read warmup map', path);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new DrtpError(
      'E_IO',
      `warmup map ${path} is not valid JSON (${(err as Error).message}): delete it to warm up from scratch`,
      { file: path },
    );
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new DrtpError('E_IO', `warmup map ${path} is not a JSON object of uri -> digest`, { file: path });
  const map: DigestMap = new Map();
  for (const [uri, value] of Object.entries(data)) {
    if (value === 'bad') map.set(uri, { failed: 'the original player recorded "bad"' });
    else if (typeof value === 'string' && DIGEST.test(value)) map.set(uri, value);
    else if (typeof value === 'object' && value !== null && typeof (value as { failed?: unknown }).failed === 'string')
      map.set(uri, { failed: (value as { failed: string }).failed });
    else
      throw new DrtpError(
        'E_IO',
        `warmup map ${path}: the entry for "${uri}" is neither a digest (algorithm:hex) nor {"failed": reason}: ${JSON.stringify(value).slice(0, 100)}`,
        { file: path },
      );
  }
  return map;
}

export async function writeDigestMap(path: string, map: DigestMap): Promise<void> {
  const entries: string[] = [];
  for (const [uri, entry] of map) entries.push(`  ${JSON.stringify(uri)}: ${JSON.stringify(entry)}`);
  await writeFileAtomic(path, `{\n${entries.join(',\n')}\n}\n`);
}

export function isPushed(entry: DigestEntry | undefined): entry is string {
  return typeof entry === 'string';
}

/**
 * The warmup map at `path`, or, when there is none, the union of the maps a sharded warmup wrote next to
 * it (`interm.shard-0-of-3.json`, ...), so that a run finds every shard's pushes; undefined when there
 * is neither (warmup never ran). An empty map is a map: a trace that only pushes needs nothing warmed.
 */
export async function readDigestMapOrShards(path: string): Promise<DigestMap | undefined> {
  const map = await readDigestMap(path);
  if (map.size > 0 || (await exists(path))) return map;
  const name = basename(path);
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  const pattern = new RegExp(`^${escape(stem)}\\.shard-\\d+-of-\\d+${escape(ext)}$`);
  let names: string[] = [];
  try {
    names = (await readdir(dirname(path))).filter((n) => pattern.test(n)).sort();
  } catch {
    return undefined;
  }
  if (names.length === 0) return undefined;
  for (const n of names)
    for (const [uri, entry] of await readDigestMap(join(dirname(path), n)))
      if (!isPushed(map.get(uri))) map.set(uri, entry);
  return map;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
