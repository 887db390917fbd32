/**
 * Importer worker entry: reads one trace file, a chunk of one, or a group of small files, into a table
 * and hands it back in shared memory. Imports only lib/, the runtime and the message types.
 */
import { loadTrace, loadTraceChunk } from '../lib/trace/load.js';
import { shareTable } from '../lib/trace/shared-table.js';
import type { Protocols } from './messages.js';
import { actorEntry } from './runtime.js';

export default actorEntry<Protocols['importer']>(async (task) => {
  if (task.chunk !== undefined) {
    const { table, stats, next } = await loadTraceChunk({ file: task.file, ...task.chunk }, { strict: task.strict });
    return { table: shareTable(table), stats, next };
  }
  const { table, stats } = await loadTrace(task.group ?? [task.file], { strict: task.strict });
  return { table: shareTable(table), stats };
});
