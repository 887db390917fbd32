import t from 'tap';
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LockfileRegistry } from '../../helpers/npm-registry.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../../..');
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

/** What a published drtp may hold: the compiled product, its schemas and their validators, examples, and the documents. */
const SHIPPED = [
  /^dist\/(cli|actors|lib)\/.+\.js$/,
  /^dist\/schemas\/[^/]+\.validate\.cjs$/,
  /^schemas\/[^/]+\.json$/,
  /^examples\//,
  /^(README\.md|LICENSE|package\.json)$/,
];

interface PackResult {
  filename: string;
  files: { path: string }[];
}

// `npm test` builds dist first (pretest), so packing skips the prepare script's second build.
async function pack(args: string[]): Promise<PackResult> {
  const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', ...args], {
    cwd: root,
    maxBuffer: 16 << 20,
  });
  return (JSON.parse(stdout) as PackResult[])[0];
}

t.test('the package ships the product: CLI, actors, lib, schemas, examples, README and LICENSE', async (t) => {
  const files = (await pack(['--dry-run'])).files.map((f) => f.path).sort();
  t.same(
    files.filter((f) => !SHIPPED.some((p) => p.test(f))),
    [],
    'nothing else',
  );
  t.same(
    files.filter((f) => /bench|tests\/|\.map$|\.ts$/.test(f)),
    [],
    'no benchmark, test, source or source map',
  );
  for (const needed of [
    'dist/cli/main.js',
    'dist/actors/client.js',
    'schemas/config.schema.json',
    'dist/schemas/config.schema.validate.cjs',
    'examples/config.yaml',
    'LICENSE',
    'README.md',
  ]) {
    t.ok(files.includes(needed), needed);
  }
});

t.test('the packed tarball installs globally and its drtp runs', async (t) => {
  const dir = t.testdir({ prefix: {}, trace: {} });
  const tarball = join(dir, (await pack(['--pack-destination', dir])).filename);
  t.equal(tarball, join(dir, `drtp-${version}.tgz`));
  const prefix = join(dir, 'prefix');
  // The dependencies come from a loopback registry of the lockfile's packages: a test downloads nothing.
  const registry = new LockfileRegistry(join(root, 'package-lock.json'));
  const url = await registry.start();
  t.teardown(() => registry.stop());
  await run('npm', ['install', '-g', '--registry', url, '--no-audit', '--no-fund', '--prefix', prefix, tarball], {
    cwd: dir,
    maxBuffer: 16 << 20,
  });
  t.ok(registry.documentsServed >= 7, 'every dependency was resolved through the loopback registry');
  const drtp = join(prefix, 'bin', 'drtp');
  const installed = join(prefix, 'lib', 'node_modules', 'drtp');

  t.equal((await run(drtp, ['--version'])).stdout.trim(), version);
  const validated = await run(drtp, ['validate', join(installed, 'examples', 'config.yaml')]);
  t.equal(validated.stdout, 'ok\n');
  const synth = await run(drtp, ['synth', '--out', join(dir, 'trace'), '--requests', '200', '--seed', '3']);
  const written = synth.stdout.trim().split('\n');
  t.same(readdirSync(join(dir, 'trace')), ['prod-dal09-logstash-2017.06.20-0.json']);
  t.same(written, [join(dir, 'trace', 'prod-dal09-logstash-2017.06.20-0.json')]);
  const records = JSON.parse(readFileSync(written[0], 'utf8')) as unknown[];
  t.equal(records.length, 200, 'the installed generator wrote the records asked for');
});
