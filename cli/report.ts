import type { TraceReadStats } from '../lib/trace/load.js';
import type { SelectionCounts } from '../lib/trace/select.js';

const n = (x: number): string => x.toLocaleString('en-US');

/** The lines every command prints about the trace it read. */
export function describeRead(stats: TraceReadStats, counts: SelectionCounts): string {
  let text = `read ${n(stats.records)} records from ${stats.files.length} file${stats.files.length === 1 ? '' : 's'}`;
  text += stats.malformed > 0 ? `, skipped ${n(stats.malformed)} malformed\n` : '\n';
  for (const example of stats.malformedExamples) text += `  ${example}\n`;
  if (stats.malformed > stats.malformedExamples.length) text += `  ... and ${n(stats.malformed - stats.malformedExamples.length)} more\n`;
  text += `replayable ${n(counts.replayable)}; not replayed: ${n(counts.otherMethod)} other methods, ${n(counts.otherPath)} other paths, `;
  text += `${n(counts.noSize)} without size, ${n(counts.failed)} failed in the trace, ${n(counts.beyondLimit)} beyond the limit\n`;
  return text;
}
