/**
 * `npm run bench -- cores [ROUNDS]`: #32's five figures in one run, each from its own section (which
 * prints its details first), then together against their targets.
 */
import { analyzeSpan } from './analyze.js';
import { ingestFiles, parallelImport } from './ingest.js';
import { cliSection, masterSection } from './run.js';
import { sweepBench } from './simulate-sweep.js';

interface Figure {
  name: string;
  shown: string;
  target: string;
  met: boolean;
}

export async function runCoresBench(args: string[]): Promise<void> {
  const rounds = Number(args[0] ?? 2);
  const out = (s: string): boolean => process.stdout.write(`${s}\n`);
  const figures: Figure[] = [];
  const add = (name: string, shown: string, target: string, met: boolean): void => {
    figures.push({ name, shown, target, met });
  };
  const generator = await cliSection(rounds, out);
  add('generator, drtp / autocannon requests per CPU-s', `${generator.toFixed(2)}x`, '>= 1.0x', generator >= 1);
  const fed = await masterSection(rounds, out);
  add('workers one master feeds', fed.toFixed(0), '> 64', fed > 64);
  out('');
  const sweep = await sweepBench(2_000_000, rounds);
  add('32-point sweep, 2 workers / 1', `${sweep.toFixed(2)}x`, '>= 1.8x', sweep >= 1.8);
  out('');
  const analysis = await analyzeSpan(1_000_000, Math.max(3, rounds));
  add('analyze --json, 1M requests over weeks (median)', `${analysis.toFixed(2)} s`, '< 1.0 s', analysis < 1);
  out('');
  const imported = await parallelImport(await ingestFiles(1_000_000), rounds);
  add('import, 2 workers / 1', `${imported.toFixed(2)}x`, '>= 1.5x', imported >= 1.5);
  out(`\n#32's figures, ${rounds} interleaved rounds each:`);
  for (const f of figures)
    out(`  ${f.name.padEnd(50)} ${f.shown.padStart(8)}   target ${f.target.padEnd(8)} ${f.met ? 'met' : 'not met'}`);
}
