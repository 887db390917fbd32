import t from 'tap';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { writeSynthTrace } from '../../../lib/trace/synth-files.js';
import { resolveShard, shardFilter, shardPath } from '../../../lib/planning/shard.js';
import { buildCli } from '../../../cli/cli.js';
import { RunCommand } from '../../../cli/commands/run.js';
import { WarmupCommand } from '../../../cli/commands/warmup.js';
import { runCli } from '../../helpers/cli.js';
import { withRegistry } from '../../helpers/registry.js';

const BIN = join(import.meta.dirname, '../../../dist/cli/main.js');

function drtp(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

const summaryOf = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, any>;

t.test('three shards in three processes, merged, match one unsharded run', async (t) => {
  const dir = t.testdir();
  await writeSynthTrace(join(dir, 'traces'), { requests: 400, seed: 8, maxLayerBytes: 500_000, clients: 30 });
  const registry = await withRegistry(t);
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    `client_info:\n  wait: false\n  threads: 1\ntrace:\n  location: traces\n  traces: [prod-dal09-logstash-2017.06.20-0.json]\n  output: out/results.ndjson\nregistry: [${registry.host}]\nwarmup:\n  output: interm.json\n  threads: 8\n`,
  );
  t.equal((await runCli(['warmup', config])).code, 0);
  t.equal((await runCli(['run', config])).code, 0);
  const whole = summaryOf(join(dir, 'out/results.ndjson.summary.json'));

  // Far enough ahead for three processes on two cores to load the trace and start their workers.
  const startAt = String(Date.now() + 6000);
  const runs = await Promise.all(
    [0, 1, 2].map((i) => drtp(['run', config, '--shard', `${i}/3`, '--start-at', startAt])),
  );
  runs.forEach((r, i) => t.equal(r.code, 0, `shard ${i}: ${r.stderr}`));
  const parts = [0, 1, 2].map((i) => join(dir, `out/results.shard-${i}-of-3.ndjson.summary.json`));
  const clients = [0, 1, 2].map(
    (i) =>
      new Set(
        readFileSync(join(dir, `out/results.shard-${i}-of-3.ndjson`), 'utf8')
          .trim()
          .split('\n')
          .map((l) => (JSON.parse(l) as { client: string }).client),
      ),
  );
  t.same(
    [clients[0], clients[1], clients[2]].map((s, i) =>
      [...s].filter((c) => [0, 1, 2].some((j) => j !== i && clients[j].has(c))),
    ),
    [[], [], []],
    'no client spans two shards',
  );
  t.ok(
    clients.every((s) => s.size > 0),
    'every shard has clients',
  );
  const starts = parts.map((p) => summaryOf(p).span.startEpochMs as number);
  t.ok(
    Math.max(...starts) - Math.min(...starts) < 300,
    `shards started together (${starts.map((s) => s - Number(startAt)).join(', ')} ms after --start-at)`,
  );

  const merged = await runCli(['merge', ...parts, '--out', join(dir, 'merged.json')]);
  t.equal(merged.code, 0, merged.stderr);
  const m = summaryOf(join(dir, 'merged.json'));
  t.same(m.requests, whole.requests, 'the same request counts');
  t.equal(m.bytes, whole.bytes, 'the same bytes');
  for (const [name, c] of Object.entries(
    whole.classes as Record<string, { requests: number; ok: number; bytes: number; latencyMs: { count: number } }>,
  )) {
    t.same(
      [m.classes[name].requests, m.classes[name].ok, m.classes[name].bytes, m.classes[name].latencyMs.count],
      [c.requests, c.ok, c.bytes, c.latencyMs.count],
      `${name}: counts, bytes and histogram totals add up`,
    );
  }
  t.equal(m.latencyMs.count, whole.latencyMs.count, 'the merged histogram holds every request');
  t.equal(m.span.startEpochMs, Math.min(...starts), 'from the earliest start');
  t.same(m.meta.merged.shards, [0, 1, 2]);
  t.equal(m.meta.merged.complete, true);
});

t.test('merge refuses summaries that are not shards of one run', async (t) => {
  const dir = t.testdir();
  await writeSynthTrace(join(dir, 'a'), { requests: 60, seed: 1, maxLayerBytes: 100_000 });
  await writeSynthTrace(join(dir, 'b'), { requests: 60, seed: 2, maxLayerBytes: 100_000 });
  const registry = await withRegistry(t);
  for (const name of ['a', 'b']) {
    writeFileSync(
      join(dir, `${name}.yaml`),
      `client_info:\n  threads: 1\ntrace:\n  location: ${name}\n  traces: [prod-dal09-logstash-2017.06.20-0.json]\n  output: out-${name}/results.ndjson\nregistry: [${registry.host}]\nwarmup:\n  output: interm-${name}.json\n`,
    );
    t.equal((await runCli(['warmup', join(dir, `${name}.yaml`)])).code, 0);
    t.equal((await runCli(['run', join(dir, `${name}.yaml`), '--shard', '0/2'])).code, 0);
  }
  const a = join(dir, 'out-a/results.shard-0-of-2.ndjson.summary.json');
  const b = join(dir, 'out-b/results.shard-0-of-2.ndjson.summary.json');
  const mixed = await runCli(['merge', a, b, '--out', join(dir, 'm.json')]);
  t.equal(mixed.code, 2);
  t.match(mixed.stderr, /E_MERGE: .* are not shards of one run: their trace files differ/);
  const twice = await runCli(['merge', a, a, '--out', join(dir, 'm.json')]);
  t.equal(twice.code, 2);
  t.match(twice.stderr, /both shard 0 of 2/);
  t.notOk(readdirSync(dir).includes('m.json'), 'nothing written');
});

t.test('shards: from the flag or the Indexed Job environment; disjoint and covering', async (t) => {
  t.same(resolveShard('1/4', {}), { index: 1, count: 4 });
  t.same(resolveShard(undefined, { JOB_COMPLETION_INDEX: '2', JOB_COMPLETIONS: '3' }), { index: 2, count: 3 });
  t.equal(resolveShard(undefined, {}), undefined);
  t.throws(() => resolveShard('4/4', {}), { code: 'E_USAGE' });
  t.throws(() => resolveShard('x', {}), { code: 'E_USAGE' });
  t.throws(() => resolveShard(undefined, { JOB_COMPLETION_INDEX: '0' }), {
    code: 'E_USAGE',
    message: /JOB_COMPLETIONS/,
  });
  const filters = [0, 1, 2].map((index) => shardFilter({ index, count: 3 }));
  const owners = Array.from({ length: 3000 }, (_, i) => filters.filter((f) => f(`client-${i}`)).length);
  t.ok(
    owners.every((n) => n === 1),
    'every key in exactly one shard',
  );
  t.equal(shardPath('/r/results.ndjson', { index: 1, count: 3 }), '/r/results.shard-1-of-3.ndjson');
  t.equal(shardPath('/r/results', { index: 0, count: 2 }), '/r/results.shard-0-of-2');
});

t.test('the Kubernetes example: valid YAML, Indexed Jobs whose commands are real drtp command lines', async (t) => {
  const dir = join(import.meta.dirname, '../../../examples/kubernetes');
  const docs = readdirSync(dir).flatMap((f) =>
    parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => ({ f, d })),
  );
  t.ok(
    docs.every(({ d }) => d.errors.length === 0),
    'valid YAML',
  );
  const objects = docs.map(({ d }) => d.toJS() as Record<string, any>);
  const jobs = objects.filter((o) => o.kind === 'Job');
  t.equal(jobs.length, 2);
  for (const job of jobs) {
    t.equal(job.spec.completionMode, 'Indexed');
    const container = job.spec.template.spec.containers[0];
    const env = Object.fromEntries((container.env as { name: string; value?: string }[]).map((e) => [e.name, e.value]));
    t.equal(Number(env.JOB_COMPLETIONS), job.spec.completions, 'JOB_COMPLETIONS matches the completions');
    const [binary, ...args] = (container.command as string[]).map((a) =>
      a.replace('$(DRTP_START_AT)', env.DRTP_START_AT ?? ''),
    );
    t.equal(binary, 'drtp');
    const command = (await buildCli()).process(args);
    t.ok(command instanceof RunCommand || command instanceof WarmupCommand, `${args[0]} parses as a drtp command`);
  }
  const configMap = objects.find((o) => o.kind === 'ConfigMap');
  const config = join(t.testdir({ 'config.yaml': configMap?.data['config.yaml'] }), 'config.yaml');
  const validated = await runCli(['validate', config]);
  t.equal(validated.stdout, 'ok\n', 'the ConfigMap holds a valid configuration');
});
