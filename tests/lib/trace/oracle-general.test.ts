import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTrace } from '../../../lib/trace/load.js';
import { readOracleGeneral, RECORD_BYTES, writeOracleGeneral } from '../../../lib/trace/oracle-general.js';
import { Kind, Method } from '../../../lib/trace/request.js';
import { writeSynthTrace } from '../../../lib/trace/synth-files.js';
import type { TraceTable } from '../../../lib/trace/table.js';
import { runCli } from '../../helpers/cli.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/traces');

/** The records of an oracleGeneral file, as numbers. */
function records(file: string): { time: number; id: string; size: number; next: number }[] {
  const buf = readFileSync(file);
  return Array.from({ length: buf.length / RECORD_BYTES }, (_, k) => {
    const at = k * RECORD_BYTES;
    return {
      time: buf.readUInt32LE(at),
      id: buf.readBigUInt64LE(at + 4).toString(16),
      size: buf.readUInt32LE(at + 12),
      next: Number(buf.readBigInt64LE(at + 16)),
    };
  });
}

/** The layer GETs of a table in its order: [object name, size, time]. */
function layerGets(table: TraceTable): [string, number, number][] {
  const { kind, method, object, size, time } = table.columns;
  const out: [string, number, number][] = [];
  for (let i = 0; i < table.length; i++)
    if (kind[i] === Kind.BLOB && method[i] === Method.GET)
      out.push([table.pools.objects.get(object[i]), size[i], time[i]]);
  return out;
}

t.test(
  'a trace written as oracleGeneral: one record per layer GET, sizes, seconds and the next access as libCacheSim counts it',
  async (t) => {
    const dir = t.testdir();
    const [json] = await writeSynthTrace(dir, { requests: 3000, seed: 13 });
    const { table } = await loadTrace([json]);
    const file = join(dir, 'trace.oracleGeneral');
    const written = await writeOracleGeneral(file, table);
    const gets = layerGets(table);
    const out = records(file);
    t.equal(written.records, gets.length);
    t.equal(out.length, gets.length, 'a record per layer GET');
    t.same(
      out.map((r) => r.size),
      gets.map(([, size]) => size),
      'sizes',
    );
    t.same(
      out.map((r) => r.time),
      gets.map(([, , ms]) => Math.floor(ms / 1000)),
      'times in seconds',
    );
    // Computed here directly: the 1-based position of the next GET of the same layer, or -1.
    const expected = gets.map(([name], k) => {
      const j = gets.findIndex(([other], at) => at > k && other === name);
      return j < 0 ? -1 : j + 1;
    });
    t.same(
      out.map((r) => r.next),
      expected,
      'next access positions',
    );
    const byName = new Map<string, string>();
    gets.forEach(([name], k) => byName.set(name, out[k].id));
    t.equal(new Set(byName.values()).size, byName.size, 'one id per layer, none shared');
    t.ok(expected.some((n) => n > 0) && expected.some((n) => n === -1), 'the trace has both reuses and last accesses');
  },
);

t.test(
  'read back, an oracleGeneral trace simulates as its JSON does (layer GETs), and its .zst the same',
  async (t) => {
    const dir = t.testdir();
    const [json] = await writeSynthTrace(dir, { requests: 4000, seed: 14 });
    const oracle = join(dir, 'trace.oracleGeneral');
    const imported = await runCli(['import', json, '--format', 'oracleGeneral', '--out', oracle]);
    t.equal(imported.code, 0, imported.stderr);
    t.match(imported.stdout, /layer GETs as oracleGeneral records/);
    const simulate = async (trace: string, methods: string): Promise<Record<string, number>> => {
      const config = join(dir, 'sim.yaml');
      writeFileSync(
        config,
        `trace:\n  traces: [${trace}]\n${methods}simulate:\n  name: lru\n  sweep:\n    capacity_gb: [0.05, 0.2, 1]\n`,
      );
      const run = await runCli(['simulate', config, '--json']);
      t.equal(run.code, 0, run.stderr);
      return Object.fromEntries(
        (JSON.parse(run.stdout) as { points: { args: { capacity_gb: number }; stats: { hits: number } }[] }).points.map(
          (p) => [p.args.capacity_gb, p.stats.hits],
        ),
      );
    };
    const fromJson = await simulate(json, '  methods: [GET]\n');
    t.same(await simulate(oracle, ''), fromJson, 'the same LRU hits at every size');
    t.ok(Object.values(fromJson).some((hits) => hits > 0));

    const plain = await readOracleGeneral(join(FIXTURES, 'synth-3000.oracleGeneral'));
    const zst = await readOracleGeneral(join(FIXTURES, 'synth-3000.oracleGeneral.zst'));
    t.equal(zst.length, 1730, 'the .zst written by the zstd tool reads whole');
    t.same(layerGets(zst), layerGets(plain), 'and as its uncompressed twin');
  },
);

t.test('a damaged oracleGeneral file is an E_TRACE_PARSE naming it', async (t) => {
  const dir = t.testdir();
  const short = join(dir, 'short.oracleGeneral');
  writeFileSync(short, readFileSync(join(FIXTURES, 'synth-3000.oracleGeneral')).subarray(0, 24 * 10 + 7));
  await t.rejects(readOracleGeneral(short), { code: 'E_TRACE_PARSE', location: { file: short } });
  const broken = join(dir, 'broken.oracleGeneral.zst');
  const zst = readFileSync(join(FIXTURES, 'synth-3000.oracleGeneral.zst'));
  writeFileSync(broken, Buffer.concat([zst.subarray(0, 200), Buffer.alloc(300, 0x55)]));
  await t.rejects(readOracleGeneral(broken), { code: 'E_TRACE_PARSE', location: { file: broken } });
});
