import type { TraceTable } from '../trace/table.js';
import { skippedRow } from '../stats/result-row.js';
import { opOf } from './op-of.js';
import { ROUTE, SKIP_REASONS, type ReplayRouter } from './router.js';

/** Result rows are handed to `write` in batches of about this many characters. */
const BATCH_CHARS = 1 << 20;

/**
 * Writes a result row for every request the router skips (a warmup failure names its cause) and
 * counts them by reason.
 */
export async function writeSkipped(
  router: ReplayRouter,
  table: TraceTable,
  write: (rows: string) => Promise<void>,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  let batch = '';
  for (let i = 0; i < router.kind.length; i++) {
    const kind = router.kind[i];
    const reason = SKIP_REASONS[kind];
    if (reason === undefined) continue;
    counts[reason] = (counts[reason] ?? 0) + 1;
    const text = kind === ROUTE.WARMUP_FAILED ? `${reason}: ${router.warmupFailures.get(i)}` : reason;
    const op = opOf(table.columns.method[i], table.columns.kind[i]);
    batch += skippedRow(
      i,
      op < 0 ? 0 : op,
      table.columns.size[i],
      table.pools.clients.get(table.columns.client[i]),
      table.offsetMs(i),
      text,
    );
    if (batch.length > BATCH_CHARS) {
      await write(batch);
      batch = '';
    }
  }
  if (batch.length > 0) await write(batch);
  return counts;
}
