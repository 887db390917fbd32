import t, { type Test } from 'tap';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { analyzeTraces } from '../../../actors/analyze-master.js';
import { writeSynthTrace } from '../../../lib/trace/synth-files.js';

/**
 * `drtp analyze` must say the same, to the unit, however it computes: each case's output was recorded
 * (DRTP_UPDATE_GOLDEN=1) before the analysis was rewritten for speed, and is compared whole.
 */
const GOLDEN = join(import.meta.dirname, '../../fixtures/analyze');
const SAMPLE = join(import.meta.dirname, '../../fixtures/traces/sample_stage-dal09.json');

async function check(t: Test, name: string, files: string[]): Promise<void> {
  const { analysis } = await analyzeTraces(files, { workers: 2 });
  // Examples name their files: by base name here, so that the record holds wherever the tests run.
  const shown = {
    ...analysis,
    malformedExamples: analysis.malformedExamples.map((e) => e.replace(/^[^:]*/, (path) => basename(path))),
  };
  const text = `${JSON.stringify(shown, null, 2)}\n`;
  const golden = join(GOLDEN, `${name}.json`);
  if (process.env.DRTP_UPDATE_GOLDEN === '1' || !existsSync(golden)) {
    t.ok(
      process.env.DRTP_UPDATE_GOLDEN === '1',
      `${name}: the recorded output exists (record it with DRTP_UPDATE_GOLDEN=1)`,
    );
    writeFileSync(golden, text);
    return;
  }
  t.same(JSON.parse(text), JSON.parse(readFileSync(golden, 'utf8')), `${name}: the analysis recorded before`);
}

t.test('synthetic traces of two data centers, one gzip-compressed, with pushes and pulls', async (t) => {
  const dir = t.testdir();
  const dal = await writeSynthTrace(join(dir, 'dal'), { requests: 20_000, seed: 11, files: 2, dataCenter: 'dal09' });
  const fra = await writeSynthTrace(join(dir, 'fra'), {
    requests: 8_000,
    seed: 12,
    files: 1,
    dataCenter: 'fra02',
    gzip: true,
  });
  await check(t, 'synth-two-dcs', [...dal, ...fra]);
});

t.test('the real IBM sample', async (t) => {
  await check(t, 'ibm-sample', [SAMPLE]);
});

t.test('a .drtp table of a synthetic trace', async (t) => {
  const dir = t.testdir();
  const files = await writeSynthTrace(dir, { requests: 30_000, seed: 13, files: 3, dataCenter: 'lon02' });
  const { loadTrace } = await import('../../../lib/trace/load.js');
  const { writeTable } = await import('../../../lib/trace/binary.js');
  const { table } = await loadTrace(files);
  await writeTable(join(dir, 'trace.drtp'), table, { files });
  await check(t, 'synth-drtp', [join(dir, 'trace.drtp')]);
});
