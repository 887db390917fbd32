import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTrace } from '../../../lib/trace/load.js';
import { writeSynthTrace } from '../../../lib/trace/synth-files.js';
import { runCli } from '../../helpers/cli.js';

// Archives are read in their members' order, as a file list is in its order (the first size seen of a
// layer wins): `--sort=name` lays the members out as the sorted file list.

/** A synthetic trace of two data centers in `dir/traces/{dal,fra}`, one file gzip-compressed, and its files in order. */
async function twoDataCenters(dir: string): Promise<string[]> {
  const dal = await writeSynthTrace(join(dir, 'traces/dal'), {
    requests: 3000,
    seed: 21,
    files: 2,
    dataCenter: 'dal09',
  });
  const fra = await writeSynthTrace(join(dir, 'traces/fra'), {
    requests: 1500,
    seed: 22,
    files: 1,
    dataCenter: 'fra02',
    gzip: true,
  });
  return [...dal, ...fra];
}

const analysisOf = async (args: string[]): Promise<Record<string, unknown>> => {
  const run = await runCli(['analyze', ...args, '--json']);
  if (run.code !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as Record<string, unknown>;
};

t.test('a .tar.gz or .tar of a multi-DC trace, or its directory, analyzes as its unpacked files do', async (t) => {
  const dir = t.testdir();
  const files = await twoDataCenters(dir);
  execFileSync('tar', ['--sort=name', '-czf', join(dir, 'ibm.tar.gz'), '-C', dir, 'traces']);
  execFileSync('tar', ['--sort=name', '-cf', join(dir, 'ibm.tar'), '-C', dir, 'traces']);
  const unpacked = await analysisOf(files);
  t.same(Object.keys(unpacked.dataCenters as object), ['dal09', 'fra02'], 'data centers from the file names');
  t.same(
    await analysisOf([join(dir, 'ibm.tar.gz')]),
    unpacked,
    '.tar.gz: data centers from the member names, the same numbers',
  );
  t.same(await analysisOf([join(dir, 'ibm.tar')]), unpacked, '.tar');
  t.same(await analysisOf([join(dir, 'traces')]), unpacked, 'a directory: the trace files under it');
});

t.test(
  'every command that reads traces takes the archive: the same table, each member a file of its own',
  async (t) => {
    const dir = t.testdir();
    const files = await twoDataCenters(dir);
    execFileSync('tar', ['--sort=name', '-czf', join(dir, 'ibm.tar.gz'), '-C', dir, 'traces']);
    const fromFiles = await loadTrace(files);
    const fromArchive = await loadTrace([join(dir, 'ibm.tar.gz')]);
    t.equal(fromArchive.table.length, fromFiles.table.length);
    t.same(
      Array.from(fromArchive.table.columns.time),
      Array.from(fromFiles.table.columns.time),
      'the same requests in the same order',
    );
    t.same(
      fromArchive.stats.perFile.map((f) => f.file.replace(`${dir}/`, '')),
      [
        'ibm.tar.gz:traces/dal/prod-dal09-logstash-2017.06.20-0.json',
        'ibm.tar.gz:traces/dal/prod-dal09-logstash-2017.06.20-1.json',
        'ibm.tar.gz:traces/fra/prod-fra02-logstash-2017.06.20-0.json.gz',
      ],
    );
    const imported = await runCli(['import', join(dir, 'ibm.tar.gz'), '--out', join(dir, 'ibm.drtp')]);
    t.equal(imported.code, 0, imported.stderr);
    t.match(imported.stdout, `read ${fromFiles.table.length.toLocaleString('en-US')} records from 3 files`);
  },
);

t.test('a damaged archive is a trace error naming it; a directory without traces is named', async (t) => {
  const dir = t.testdir();
  writeFileSync(join(dir, 'bad.tar.gz'), Buffer.from('this is not gzip at all'));
  const bad = await runCli(['analyze', join(dir, 'bad.tar.gz')]);
  t.equal(bad.code, 2);
  t.match(bad.stderr, `E_TRACE_PARSE: ${join(dir, 'bad.tar.gz')}`);
  mkdirSync(join(dir, 'empty'));
  const empty = await runCli(['import', join(dir, 'empty'), '--out', join(dir, 'x.drtp')]);
  t.same(
    [empty.code, empty.stderr],
    [
      4,
      `drtp: E_IO: cannot read trace directory ${join(dir, 'empty')}: it holds no trace files (.json, .json.gz, .ndjson, .drtp, .tar, .tar.gz, .oracleGeneral)\n`,
    ],
  );
});
