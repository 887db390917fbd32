import type { ReplayOptions } from '../actors/master.js';
import { shownConfig } from '../lib/config/shown.js';
import type { Config } from '../lib/config/types.js';
import type { Progress } from '../lib/term/progress.js';
import type { FileReadCounts, TraceReadStats } from '../lib/trace/load.js';
import type { SelectionCounts } from '../lib/trace/select.js';

const n = (x: number): string => x.toLocaleString('en-US');

/** `text` with control characters escaped as JSON writes them: what a trace or a registry sent, made safe to print. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
}

/** The lines every command prints about the trace it read; verbose, what each file gave. */
export function describeRead(
  { stats, counts, invalidUris = [] }: { stats: TraceReadStats; counts: SelectionCounts; invalidUris?: string[] },
  verbose = false,
): string {
  // Files read: an archive's members count one by one.
  const files = Math.max(stats.files.length, stats.perFile.length);
  let text = `read ${n(stats.records)} records from ${files} file${files === 1 ? '' : 's'}`;
  text += stats.malformed > 0 ? `, skipped ${n(stats.malformed)} malformed\n` : '\n';
  if (verbose) for (const f of stats.perFile) text += `  ${describeFile(f)}\n`;
  for (const example of stats.malformedExamples) text += `  ${example}\n`;
  if (stats.malformed > stats.malformedExamples.length)
    text += `  ... and ${n(stats.malformed - stats.malformedExamples.length)} more\n`;
  const nested = stats.nestedArchives ?? [];
  if (nested.length > 0)
    text += `skipped ${n(nested.length)} archive${nested.length === 1 ? '' : 's'} inside archives, not read (unpack them, or give them as traces): ${nested.slice(0, 3).join(', ')}${nested.length > 3 ? ', ...' : ''}\n`;
  text += `replayable ${n(counts.replayable)}; not replayed: ${n(counts.otherMethod)} other methods, ${n(counts.otherPath)} other paths, `;
  if (counts.invalidUri > 0) text += `${n(counts.invalidUri)} invalid uri, `;
  text += `${n(counts.noSize)} without size, ${n(counts.failed)} failed in the trace, ${n(counts.beyondLimit)} beyond the limit\n`;
  for (const uri of invalidUris) text += `  invalid uri (space, control or non-ASCII character): ${uri}\n`;
  if (counts.invalidUri > invalidUris.length) text += `  ... and ${n(counts.invalidUri - invalidUris.length)} more\n`;
  return text;
}

/**
 * A replay's live line, as `runReplay` options: none when the line is not drawn (piped), so that the
 * workers gather and send no progress nobody sees.
 */
export function replayProgress(progress: Progress): Pick<ReplayOptions, 'onProgress'> {
  return progress.live
    ? { onProgress: (p) => progress.update(p.done, p.total, `${p.failed} failed, p99 ${p.p99.toFixed(1)} ms`) }
    : {};
}

/** What one trace file gave, for --verbose. */
export function describeFile(f: FileReadCounts): string {
  return `${f.file}: ${n(f.records)} records, ${n(f.malformed)} malformed`;
}

/** The resolved configuration (every default applied, paths absolute, passwords hidden), for --verbose. */
export function describeConfig(config: Config): string {
  return `configuration ${config.file}, resolved:\n${JSON.stringify(shownConfig(config), null, 2)}\n`;
}
