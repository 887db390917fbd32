import t from 'tap';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { COMMAND_NAMES, loadCommands } from '../../../cli/cli.js';

const ORIGINAL = join(import.meta.dirname, '../../fixtures/compat/original-config.yaml');

t.test('--help lists every command and each command explains itself', async (t) => {
  const help = await runCli(['--help']);
  t.equal(help.code, 0);
  const commands = await loadCommands();
  t.same(
    commands.map((c) => c.paths?.[0]),
    COMMAND_NAMES.map((name) => [name]),
    'each name loads the command of that name',
  );
  for (const command of commands) {
    const name = command.paths?.[0].join(' ') ?? '';
    t.match(help.stdout, `drtp ${name}`, `lists ${name}`);
    const own = await runCli([name, '--help']);
    t.equal(own.code, 0);
    t.match(own.stdout, command.usage?.description ?? '', `${name} --help describes it`);
  }
  const version = await runCli(['--version']);
  t.equal(
    version.stdout.trim(),
    JSON.parse(readFileSync(join(import.meta.dirname, '../../../package.json'), 'utf8')).version,
  );
});

t.test('validate: ok for the original configuration, every problem and exit 2 for a broken one', async (t) => {
  const ok = await runCli(['validate', ORIGINAL]);
  t.same(ok, { code: 0, stdout: 'ok\n', stderr: '' });
  const dir = t.testdir({ 'bad.yaml': 'trace:\n  traces: [a.json]\n  limit:\n    type: second\n    amount: 10\n' });
  const bad = await runCli(['validate', join(dir, 'bad.yaml')]);
  t.equal(bad.code, 2);
  t.equal(
    bad.stdout,
    `${join(dir, 'bad.yaml')}:4: /trace/limit/type: "second" is not allowed (did you mean "seconds"? allowed: "requests", "seconds")\n`,
  );
  t.match(bad.stderr, /E_CONFIG: 1 problem in/);
});

t.test('synth then import: a .drtp table and a summary of what was read', async (t) => {
  const dir = t.testdir();
  const synth = await runCli(['synth', '--out', dir, '--requests', '800', '--seed', '2', '--files', '2', '--gzip']);
  t.equal(synth.code, 0, synth.stderr);
  t.same(readdirSync(dir).sort(), [
    'prod-dal09-logstash-2017.06.20-0.json.gz',
    'prod-dal09-logstash-2017.06.20-1.json.gz',
  ]);
  t.equal(synth.stderr, '', 'no progress line when not on a terminal');
  const files = synth.stdout.trim().split('\n');
  const out = join(dir, 'trace.drtp');
  const imported = await runCli(['import', ...files, '--out', out]);
  t.equal(imported.code, 0, imported.stderr);
  t.match(imported.stdout, /^read 800 records from 2 files\nreplayable \d+; not replayed: /);
  t.match(imported.stdout, `wrote ${out}: 800 requests`);
  const again = await runCli(['import', out, '--out', join(dir, 'copy.drtp')]);
  t.match(again.stdout, /^read 800 records from 1 file\n/, '.drtp files are traces too');
});

t.test('--verbose: what each file gave, and the resolved configuration with its password hidden', async (t) => {
  const dir = t.testdir({
    'bad.json':
      '[{"timestamp": "never", "http.request.method": "GET", "http.request.uri": "v2/a/b/blobs/c", "http.response.written": 1}]',
  });
  const synth = await runCli(['synth', '--out', dir, '--requests', '300', '--seed', '4', '--files', '2']);
  const files = [...synth.stdout.trim().split('\n'), join(dir, 'bad.json')];
  const quiet = await runCli(['import', ...files, '--out', join(dir, 'q.drtp')]);
  t.notMatch(quiet.stdout, 'bad.json: ', 'no per-file lines unless asked');
  const imported = await runCli(['import', ...files, '--out', join(dir, 'trace.drtp'), '--verbose']);
  t.equal(imported.code, 0, imported.stderr);
  const perFile = imported.stdout.split('\n').filter((l) => / records, \d+ malformed$/.test(l));
  t.equal(perFile.length, 3, 'one line per file');
  t.match(perFile[2], `  ${join(dir, 'bad.json')}: 0 records, 1 malformed`);
  const counts = perFile.slice(0, 2).map((l) => Number(/: (\d+) records, 0 malformed$/.exec(l)?.[1]));
  t.equal(counts[0] + counts[1], 300, "the files' records add up to the trace");
  const analyzed = await runCli(['analyze', ...files, '--json', '--verbose', '--workers', '1']);
  t.equal(analyzed.code, 0, analyzed.stderr);
  t.match(analyzed.stderr, `${join(dir, 'bad.json')}: 0 records, 1 malformed\n`, 'analyze: per file, on stderr');
  t.ok(JSON.parse(analyzed.stdout), 'its --json stays one document');
  const table = await runCli(['import', join(dir, 'trace.drtp'), '--out', join(dir, 'copy.drtp'), '-v']);
  t.match(
    table.stdout,
    `  ${join(dir, 'trace.drtp')}: 300 records, 1 malformed\n`,
    'a table keeps what its import skipped',
  );

  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    'trace:\n  traces: [trace.drtp]\nregistry:\n  - {url: "http://127.0.0.1:1", username: u, password: s3cret-pass}\n',
  );
  const plain = await runCli(['validate', config]);
  t.same(plain, { code: 0, stdout: 'ok\n', stderr: '' });
  const verbose = await runCli(['validate', config, '--verbose']);
  t.equal(verbose.stdout, 'ok\n');
  t.match(verbose.stderr, `configuration ${config}, resolved:\n`);
  const resolved = JSON.parse(verbose.stderr.slice(verbose.stderr.indexOf('\n') + 1)) as {
    clientInfo: { inFlight: number };
    trace: { files: string[]; output: string };
    registries: { password: string }[];
  };
  t.equal(resolved.clientInfo.inFlight, 3, 'defaults applied');
  t.same(resolved.trace.files, [join(dir, 'trace.drtp')], 'paths absolute');
  t.equal(resolved.registries[0].password, '(hidden)');
  t.notMatch(verbose.stderr, 's3cret-pass', 'the password never printed');
});

t.test('bad input: exit 2 with a message naming the problem', async (t) => {
  const dir = t.testdir({
    'bad.json':
      '[{"timestamp": "never", "http.request.method": "GET", "http.request.uri": "v2/a/b/blobs/c", "http.response.written": 1}]',
  });
  const strict = await runCli(['import', join(dir, 'bad.json'), '--out', join(dir, 'x.drtp'), '--strict']);
  t.equal(strict.code, 2);
  t.equal(
    strict.stderr,
    `drtp: E_TRACE_PARSE: ${join(dir, 'bad.json')}:1: unparsable timestamp "never"\n`,
    'names file and byte offset',
  );
  t.same(readdirSync(dir), ['bad.json'], 'nothing written');
  const lenient = await runCli(['import', join(dir, 'bad.json'), '--out', join(dir, 'x.drtp')]);
  t.equal(lenient.code, 0);
  t.match(lenient.stdout, `skipped 1 malformed\n  ${join(dir, 'bad.json')}:1: unparsable timestamp "never"`);
  const flag = await runCli(['synth', '--out', dir, '--requests', 'many']);
  t.equal(flag.code, 2);
  t.equal(flag.stderr, 'drtp: E_USAGE: --requests must be a whole number, not "many"\n');
});
