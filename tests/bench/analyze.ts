import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { analyzeTraces } from '../../actors/analyze-master.js';
import { analyzeTable } from '../../lib/analyze/pass.js';
import { packageRoot } from '../../lib/paths.js';
import { writeTable } from '../../lib/trace/binary.js';
import { loadTrace } from '../../lib/trace/load.js';
import { runIngestBench } from './ingest.js';

/** CPU-seconds of this process (every thread) while `work` runs, and its wall seconds. */
async function measured<T>(work: () => Promise<T> | T): Promise<{ value: T; cpu: number; wall: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = await work();
  const used = process.cpuUsage(cpu);
  return { value, cpu: (used.user + used.system) / 1e6, wall: (performance.now() - started) / 1000 };
}

const rate = (requests: number, seconds: number): string => `${((requests / seconds) / 1e6).toFixed(2)} M requests/s`;

/**
 * `npm run bench -- analyze [REQUESTS]`: the ingest benchmark's multi-file trace (2.8M requests by
 * default). Analysis alone, on a loaded table (the .drtp path: target 2M requests/s per core), best of
 * three; whole `analyzeTraces` runs of the .drtp and of the JSON files, in requests per CPU-second; and
 * the JSON files on 1 and 2 workers.
 */
export async function runAnalyzeBench(args: string[]): Promise<void> {
  const requests = Number(args[0] ?? 2_800_000);
  const dir = join(packageRoot(), 'bench-data', `ingest-${requests}`);
  if (!existsSync(join(dir, 'done'))) await runIngestBench([String(requests)]);
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => join(dir, f));
  const out = (s: string): boolean => process.stdout.write(`${s}\n`);

  const table = join(dir, 'trace.drtp');
  const loaded = await loadTrace(files);
  if (!existsSync(table)) await writeTable(table, loaded.table, { files });
  const n = loaded.table.length;
  let pass = Infinity;
  for (let round = 0; round < 3; round++) pass = Math.min(pass, (await measured(() => analyzeTable(table, loaded.table, loaded.stats))).cpu);
  out(`analysis of a loaded ${n.toLocaleString('en-US')}-request table (one pass, one core): ${pass.toFixed(2)} CPU-s, ${rate(n, pass)} per core (target >= 2 M/s)`);

  const drtp = await measured(() => analyzeTraces([table], { workers: 1 }));
  out(`analyze the .drtp (load + analysis): ${drtp.wall.toFixed(2)} s, ${drtp.cpu.toFixed(2)} CPU-s: ${rate(n, drtp.cpu)} per CPU-second`);
  const one = await measured(() => analyzeTraces(files, { workers: 1 }));
  out(`analyze ${files.length} JSON files: 1 worker ${one.wall.toFixed(1)} s, ${one.cpu.toFixed(1)} CPU-s: ${rate(n, one.cpu)} per CPU-second`);
  const two = await measured(() => analyzeTraces(files, { workers: 2 }));
  out(`analyze ${files.length} JSON files: 2 workers ${two.wall.toFixed(1)} s: ${(one.wall / two.wall).toFixed(2)}x one worker (target >= 1.8x)`);
}
