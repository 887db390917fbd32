import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeStreamAtomic } from '../../lib/fsutil/atomic.js';
import { packageRoot } from '../../lib/paths.js';
import { synthRecords } from '../../lib/trace/synth.js';
import { best, type Probe } from './ingest.js';

const MB = 1e6;
/** Requests per size: ~464 bytes a record in the IBM layout. */
const SIZES = [
  ['150 MB', 323_000],
  ['450 MB', 970_000],
  ['1.3 GB', 2_800_000],
] as const;
type Layout = 'ibm' | 'json.dump';

/**
 * One trace file per layout and size, as the published files are laid out (a record a line, compact) and
 * as Python's json.dump writes them (one line, `, ` and `: `). Generated once into bench-data/.
 */
async function traceFile(layout: Layout, requests: number): Promise<string> {
  const dir = join(packageRoot(), 'bench-data', 'scan');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${layout === 'ibm' ? 'ibm' : 'python'}-${requests}.json`);
  if (existsSync(file)) return file;
  process.stdout.write(`generating ${file} ...\n`);
  await writeStreamAtomic(file, layoutText(layout, requests));
  return file;
}

function* layoutText(layout: Layout, requests: number): Generator<string> {
  let batch = layout === 'ibm' ? '[\n' : '[';
  let n = 0;
  for (const text of synthRecords({ requests, seed: 5 })) {
    const record = layout === 'ibm' ? `  ${text}` : pythonRecord(text);
    batch += n++ === 0 ? record : layout === 'ibm' ? `,\n${record}` : `, ${record}`;
    if (batch.length >= 1 << 20) {
      yield batch;
      batch = '';
    }
  }
  yield layout === 'ibm' ? `${batch}\n]\n` : `${batch}]`;
}

function pythonRecord(text: string): string {
  const fields = Object.entries(JSON.parse(text) as Record<string, unknown>);
  return `{${fields.map(([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`).join(', ')}}`;
}

/**
 * Single-file scanning: drtp's reader on one core, and on two workers (a file in chunks), against a
 * whole-file JSON.parse of the same file; peak RSS beyond the table, by file size and layout.
 */
export async function runScanBench(args: string[]): Promise<void> {
  const runs = Number(args[0] ?? 2);
  process.stdout.write(`one trace file per size and layout; best of ${runs} runs each, every run a fresh process\n`);
  process.stdout.write(
    'layout     size   JSON.parse      drtp, one core         drtp, 2 workers        peak RSS: JSON.parse / drtp beyond the table, reading and overall\n',
  );
  for (const [label, requests] of SIZES) {
    for (const layout of ['ibm', 'json.dump'] as const) {
      const file = await traceFile(layout, requests);
      const bytes = statSync(file).size;
      const parse = best('json-parse', [file], runs);
      const one = best('drtp', [file], runs);
      const two = best('parallel-2', [file], runs);
      const secs = (p: Probe): string => `${(p.ms / 1000).toFixed(2)} s`;
      const versus = (p: Probe): string => (parse.failed === undefined ? `${(parse.ms / p.ms).toFixed(2)}x` : 'n/a');
      process.stdout.write(
        `${layout.padEnd(10)} ${label.padStart(6)}   ${(parse.failed === undefined ? secs(parse) : 'cannot').padEnd(10)}` +
          `   ${secs(one).padStart(7)} ${versus(one).padStart(6)} ${(bytes / MB / (one.ms / 1000)).toFixed(0).padStart(4)} MB/s` +
          `   ${secs(two).padStart(7)} ${versus(two).padStart(6)} ${(bytes / MB / (two.ms / 1000)).toFixed(0).padStart(4)} MB/s` +
          `   ${parse.failed === undefined ? `${(parse.maxRssBytes / MB).toFixed(0)} MB` : parse.failed} / ${((one.readingRssBytes - one.tableBytes) / MB).toFixed(0)} MB, ${((one.maxRssBytes - one.tableBytes) / MB).toFixed(0)} MB\n`,
      );
    }
  }
  process.stdout.write(
    'target: drtp >= 2x JSON.parse at every size, and its peak RSS beyond the table flat in file size\n',
  );
  process.stdout.write(
    '(the sort by time after reading takes 20 bytes a row of scratch, released once the rows are in order)\n',
  );
}
