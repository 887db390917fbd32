/**
 * `npm run bench -- <name>`: drtp's benchmarks. Every figure is printed next to a baseline measured in
 * the same run on the same machine, as a ratio, so results compare across machines.
 */
import { runIngestBench } from './ingest.js';
import { runWarmupBench } from './warmup.js';
import { runRunBench } from './run.js';
import { runSimulateBench } from './simulate.js';
import { runAnalyzeBench } from './analyze.js';
import { runSummaryBench } from './summary.js';
import { runScanBench } from './scan.js';
import { runPythonModelBench } from './python-model.js';
import { runTimingBench } from './timing.js';
import { runThreadsBench } from './threads.js';
import { runCoresBench } from './cores.js';

const benches: Record<string, (args: string[]) => Promise<void>> = {
  ingest: runIngestBench,
  warmup: runWarmupBench,
  run: runRunBench,
  simulate: runSimulateBench,
  analyze: runAnalyzeBench,
  summary: runSummaryBench,
  scan: runScanBench,
  'python-model': runPythonModelBench,
  timing: runTimingBench,
  threads: runThreadsBench,
  cores: runCoresBench,
};
const [name = 'ingest', ...args] = process.argv.slice(2);
const bench = benches[name];
if (bench === undefined) {
  process.stderr.write(`unknown benchmark "${name}"; available: ${Object.keys(benches).join(', ')}\n`);
  process.exitCode = 2;
} else {
  await bench(args);
}
