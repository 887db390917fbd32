import t from 'tap';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { runBin, runCli } from '../../helpers/cli.js';
import { FakeTrace, writeTrace } from '../../helpers/fake-trace.js';
import { withRegistry } from '../../helpers/registry.js';

t.test('flags that cannot be parsed or are out of range are usage errors, exit 2 with a reason', async (t) => {
  const dir = t.testdir();
  const negative = await runCli(['synth', '--out', dir, '--requests', '-5']);
  t.same(negative, {
    code: 2,
    stdout: '',
    stderr:
      'drtp: E_USAGE: Not enough arguments to option --requests (for a negative value, write --flag=-N); see `drtp synth --help`\n',
  });
  const written = await runCli(['synth', '--out', dir, '--requests=-5']);
  t.same([written.code, written.stderr], [2, 'drtp: E_USAGE: --requests must be at least 1, not -5\n']);
  const huge = await runCli(['synth', '--out', dir, '--requests', '1e12']);
  t.same([huge.code, huge.stderr], [2, 'drtp: E_USAGE: --requests must be at most 1,000,000,000, not 1e12\n']);
  const unknown = await runCli(['replay', 'x.yaml']);
  t.same([unknown.code, unknown.stderr], [2, 'drtp: E_USAGE: Command not found; see `drtp --help`\n']);
});

t.test(
  'a registry that wants credentials none were given: each pull counted once, as E_REGISTRY_HTTP 401',
  async (t) => {
    const dir = t.testdir();
    const htpasswd = join(dir, 'htpasswd');
    writeFileSync(htpasswd, execFileSync('htpasswd', ['-Bbn', 'drtp', 'pw-123456']));
    const registry = await withRegistry(t, { htpasswd });
    const trace = new FakeTrace();
    for (let i = 0; i < 12; i++) trace.add('GET', `v2/u/r/blobs/b${i}`, { client: `c${i % 3}`, atMs: i });
    writeTrace(dir, 'trace.json', trace.json());
    process.env.DRTP_TEST_401_PW = 'pw-123456';
    t.teardown(() => delete process.env.DRTP_TEST_401_PW);
    const body = (entry: string): string =>
      `client_info: {threads: 1}\ntrace: {traces: [trace.json], output: out/results.ndjson}\nregistry: [${entry}]\nwarmup: {output: interm.json}\n`;
    writeFileSync(
      join(dir, 'warm.yaml'),
      body(`{url: "${registry.host}", username: drtp, password_env: DRTP_TEST_401_PW}`),
    );
    writeFileSync(join(dir, 'run.yaml'), body(registry.host));
    t.equal((await runCli(['warmup', join(dir, 'warm.yaml')])).code, 0);
    const run = await runCli(['run', join(dir, 'run.yaml')]);
    t.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(readFileSync(join(dir, 'out/results.ndjson.summary.json'), 'utf8')) as {
      requests: Record<string, number>;
      errors: Record<string, number>;
    };
    t.same(summary.requests, { total: 12, ok: 0, failed: 12, skipped: 0 });
    t.same(summary.errors, { 'E_REGISTRY_HTTP 401': 12 });
  },
);

t.test(
  'warmup bounds each request by client_info.timeout_ms (it waited 60 s whatever the configuration)',
  async (t) => {
    const sockets: Socket[] = [];
    // Accepts connections and never answers.
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    t.teardown(() => {
      for (const s of sockets) s.destroy();
      silent.close();
    });
    const { port } = silent.address() as { port: number };
    const dir = t.testdir();
    writeTrace(dir, 'trace.json', new FakeTrace().add('GET', 'v2/u/r/blobs/b0').json());
    writeFileSync(
      join(dir, 'config.yaml'),
      `client_info: {timeout_ms: 1500}\ntrace: {traces: [trace.json]}\nregistry: [127.0.0.1:${port}]\nwarmup: {output: interm.json}\n`,
    );
    const warm = await runBin(['warmup', join(dir, 'config.yaml')], { timeoutMs: 30_000 });
    t.notOk(warm.timedOut, 'ended well before the old 60 s');
    t.equal(warm.code, 3, warm.stderr);
    t.match(warm.stdout, /failed: v2\/u\/r\/blobs\/b0: E_REGISTRY_TIMEOUT: /);
  },
);

t.test("a registry's error text with control characters is printed escaped", async (t) => {
  const { createServer: createHttpServer } = await import('node:http');
  const server = createHttpServer((_req, res) => res.writeHead(500).end('broken\r\n\u001b[31mred\u0007'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const { port } = server.address() as { port: number };
  const dir = t.testdir();
  writeTrace(dir, 'trace.json', new FakeTrace().add('GET', 'v2/u/r/blobs/b0').json());
  writeFileSync(
    join(dir, 'config.yaml'),
    `trace: {traces: [trace.json]}\nregistry: [127.0.0.1:${port}]\nwarmup: {output: interm.json}\n`,
  );
  const warm = await runCli(['warmup', join(dir, 'config.yaml')]);
  t.equal(warm.code, 3);
  t.match(warm.stdout, 'HTTP 500 (broken\\r\\n\\u001b[31mred\\u0007)');
  t.notMatch(warm.stdout, /[\u0000-\u0009\u000b-\u001f]/, 'no control character but line ends');
});
