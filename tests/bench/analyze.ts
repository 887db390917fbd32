import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeTraces } from '../../actors/analyze-master.js';
import { packageRoot } from '../../lib/paths.js';
import { runIngestBench } from './ingest.js';

/** `npm run bench -- analyze`: the ingest benchmark's multi-file trace, analyzed on 1 and on 2 workers. */
export async function runAnalyzeBench(args: string[]): Promise<void> {
  const requests = Number(args[0] ?? 2_800_000);
  const dir = join(packageRoot(), 'bench-data', `ingest-${requests}`);
  if (!existsSync(join(dir, 'done'))) await runIngestBench([String(requests)]);
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => join(dir, f));
  const timed = async (workers: number): Promise<number> => {
    const started = performance.now();
    await analyzeTraces(files, { workers });
    return (performance.now() - started) / 1000;
  };
  const one = await timed(1);
  const two = await timed(2);
  process.stdout.write(`analyze ${files.length} files: 1 worker ${one.toFixed(1)} s, 2 workers ${two.toFixed(1)} s: ${(one / two).toFixed(2)}x (target >= 1.8x)\n`);
}
