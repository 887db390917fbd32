/**
 * One measurement of the ingest benchmark, run in a fresh process so that its peak RSS is its own.
 * Prints one JSON line: { ms, cpuMs, records, maxRssBytes, readingRssBytes, tableBytes, masterMs, failed? }.
 */
import { readFileSync } from 'node:fs';
import { loadTrace } from '../../lib/trace/load.js';
import { loadTraceParallel } from '../../actors/import-master.js';
import { readTable } from '../../lib/trace/binary.js';
import { bytesPerRequest, type TraceTable } from '../../lib/trace/table.js';

const [mode, ...files] = process.argv.slice(2);
const started = performance.now();
let records = 0;
let tableBytes = 0;
let masterMs = 0;
let failed: string | undefined;
/** The RSS while the files are read (the sort by time after it adds its scratch). */
let readingRssBytes = 0;
if (mode === 'parallel-1' || mode === 'parallel-2') {
  const { table } = await loadTraceParallel(files, {
    workers: mode === 'parallel-1' ? 1 : 2,
    onMasterMs: (ms) => (masterMs = ms),
  });
  records = table.length;
  tableBytes = sizeOf(table);
} else if (mode === 'drtp') {
  const { table } = await loadTrace(files, { onProgress: () => (readingRssBytes = Math.max(readingRssBytes, rss())) });
  records = table.length;
  tableBytes = sizeOf(table);
} else if (mode === 'json-parse') {
  try {
    for (const file of files) {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown[];
      records += parsed.length;
    }
  } catch (err) {
    // A file over V8's longest string (512 MiB) cannot be read as one string at all.
    failed = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  }
} else if (mode === 'table') {
  const { table } = await readTable(files[0]);
  // Touch every column so the load is not just a lazy mapping.
  let sum = 0;
  for (let i = 0; i < table.length; i += 1) sum += table.columns.size[i] + table.columns.repo[i];
  records = sum > 0 ? table.length : 0;
  tableBytes = sizeOf(table);
} else {
  throw new Error(`unknown mode ${mode}`);
}
const ms = performance.now() - started;
const cpu = process.cpuUsage();
// Every thread's CPU (workers included), from the start of the process: the reading dwarfs the start-up.
const cpuMs = (cpu.user + cpu.system) / 1000;
process.stdout.write(
  `${JSON.stringify({ ms, cpuMs, records, maxRssBytes: peakRss(), readingRssBytes, tableBytes, masterMs, failed })}\n`,
);

function rss(): number {
  return statusBytes('VmRSS') ?? process.memoryUsage().rss;
}

/**
 * This process's peak RSS. Not resourceUsage().maxRSS: Linux keeps that across fork + exec, so a child
 * of a large parent would report the parent's peak. VmHWM belongs to the new address space.
 */
function peakRss(): number {
  return statusBytes('VmHWM') ?? process.resourceUsage().maxRSS * 1024;
}

/** A size field of /proc/self/status (Linux), in bytes; undefined elsewhere. */
function statusBytes(field: 'VmRSS' | 'VmHWM'): number | undefined {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  return match === null ? undefined : Number(match[1]) * 1024;
}

/** The table's columns and its strings. */
function sizeOf(table: TraceTable): number {
  const pools = Object.values(table.pools).reduce(
    (sum, pool) => sum + pool.bytes.byteLength + pool.offsets.byteLength,
    0,
  );
  return table.length * bytesPerRequest() + pools;
}
