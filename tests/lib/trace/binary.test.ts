import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTable, writeTable } from '../../../lib/trace/binary.js';
import { loadTrace } from '../../../lib/trace/load.js';
import { writeSynthTrace } from '../../../lib/trace/synth-files.js';
import { COLUMN_NAMES, POOL_NAMES } from '../../../lib/trace/table.js';

t.test('a table written to .drtp loads back identical, and loads as a trace like its sources', async (t) => {
  const dir = t.testdir();
  const files = await writeSynthTrace(dir, { requests: 500, seed: 5, files: 2 });
  const { table, stats } = await loadTrace(files);
  const path = join(dir, 'trace.drtp');
  await writeTable(path, table, { read: stats });
  const { table: back, meta } = await readTable(path);
  t.equal(back.length, table.length);
  for (const name of COLUMN_NAMES)
    t.same(Array.from(back.columns[name]), Array.from(table.columns[name]), `column ${name}`);
  t.ok(table.pools.agents.size > 1, 'the synthetic trace has user agents');
  for (const pool of POOL_NAMES) t.same(back.pools[pool].toArray(), table.pools[pool].toArray(), `pool ${pool}`);
  t.same((meta.read as typeof stats).records, stats.records);

  const viaLoad = await loadTrace([path]);
  t.same(
    Array.from({ length: 50 }, (_, i) => viaLoad.table.request(i)),
    Array.from({ length: 50 }, (_, i) => table.request(i)),
  );
  const mixed = await loadTrace([path, files[0]]);
  t.equal(mixed.table.length, table.length + table.length / 2, 'a .drtp file mixes with JSON files');
});

t.test('a damaged or foreign .drtp file is refused with E_TABLE_FORMAT', async (t) => {
  const dir = t.testdir({ 'foreign.drtp': '[{"not": "a table"}]' });
  await t.rejects(readTable(join(dir, 'foreign.drtp')), {
    code: 'E_TABLE_FORMAT',
    location: { file: join(dir, 'foreign.drtp') },
  });
  const files = await writeSynthTrace(dir, { requests: 50, seed: 1 });
  const good = join(dir, 'good.drtp');
  await writeTable(good, (await loadTrace(files)).table);
  const bytes = readFileSync(good);
  bytes.writeUInt32LE(99, 8);
  writeFileSync(join(dir, 'future.drtp'), bytes);
  await t.rejects(readTable(join(dir, 'future.drtp')), { code: 'E_TABLE_FORMAT', message: /version 99/ });
  writeFileSync(join(dir, 'cut.drtp'), readFileSync(good).subarray(0, 200));
  await t.rejects(readTable(join(dir, 'cut.drtp')), { code: 'E_TABLE_FORMAT' });
});

t.test('a version 1 table (before user agents) still loads, every request with the empty agent', async (t) => {
  const dir = t.testdir();
  const files = await writeSynthTrace(dir, { requests: 200, seed: 3 });
  const { table } = await loadTrace(files);
  const path = join(dir, 'v2.drtp');
  await writeTable(path, table);
  // Version 1 is the same layout without the agent column and pool: drop them from the header.
  const bytes = readFileSync(path);
  const headerLength = bytes.readUInt32LE(12);
  const header = JSON.parse(bytes.subarray(16, 16 + headerLength).toString()) as {
    columns: Record<string, unknown>;
    pools: Record<string, unknown>;
  };
  delete header.columns.agent;
  delete header.pools.agents;
  const v1Header = Buffer.from(JSON.stringify(header).padEnd(headerLength, ' '));
  const v1 = Buffer.concat([bytes.subarray(0, 16), v1Header, bytes.subarray(16 + headerLength)]);
  v1.writeUInt32LE(1, 8);
  writeFileSync(join(dir, 'v1.drtp'), v1);
  const { table: old } = await readTable(join(dir, 'v1.drtp'));
  t.equal(old.length, table.length);
  for (const name of COLUMN_NAMES.filter((n) => n !== 'agent'))
    t.same(Array.from(old.columns[name]), Array.from(table.columns[name]), `column ${name}`);
  t.ok(
    old.columns.agent.every((a) => a === 0),
    'no agents',
  );
  t.same(old.pools.agents.toArray(), ['']);
  t.equal(old.request(7).agent, '');
  // Version 2 without its agent column is damaged, not old.
  v1.writeUInt32LE(2, 8);
  writeFileSync(join(dir, 'broken.drtp'), v1);
  await t.rejects(readTable(join(dir, 'broken.drtp')), { code: 'E_TABLE_FORMAT', message: /column agent is missing/ });
});
