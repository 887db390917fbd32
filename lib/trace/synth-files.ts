import { join } from 'node:path';
import { writeStreamAtomic } from '../fsutil/atomic.js';
import { synthFileNames, synthRecords, type SynthOptions } from './synth.js';

const BATCH_CHARS = 1 << 20;

/**
 * Writes a synthetic trace as `options.files` JSON-array files (gzip-compressed with `gzip`) in `dir`,
 * each written atomically. Returns the paths, in time order. `onRecords` gets the records written so far.
 */
export async function writeSynthTrace(
  dir: string,
  options: SynthOptions & { gzip?: boolean },
  onRecords?: (written: number) => void,
): Promise<string[]> {
  const names = synthFileNames(options);
  const perFile = Math.ceil(Math.max(0, options.requests) / names.length);
  const records = synthRecords(options);
  const paths: string[] = [];
  for (const [i, name] of names.entries()) {
    const path = join(dir, options.gzip ? `${name}.gz` : name);
    const before = i * perFile;
    await writeStreamAtomic(
      path,
      fileText(records, perFile, (n) => onRecords?.(before + n)),
      options.gzip ?? false,
    );
    paths.push(path);
  }
  return paths;
}

/** One file's text: a JSON array, one record a line, as the published files are laid out. */
function* fileText(records: Iterator<string>, count: number, onRecords?: (n: number) => void): Generator<string> {
  let batch = '[\n';
  let n = 0;
  for (; n < count; n++) {
    const next = records.next();
    if (next.done) break;
    batch += n === 0 ? `  ${next.value}` : `,\n  ${next.value}`;
    if (batch.length >= BATCH_CHARS) {
      yield batch;
      onRecords?.(n + 1);
      batch = '';
    }
  }
  yield `${batch}\n]\n`;
  onRecords?.(n);
}
