import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkConfigText, loadConfig, resolveConfig, type ConfigError } from '../../../lib/config/load.js';

const ORIGINAL = join(import.meta.dirname, '../../fixtures/compat/original-config.yaml');
interface SchemaNode {
  properties: Record<string, SchemaNode>;
}
const SCHEMA = JSON.parse(readFileSync(join(import.meta.dirname, '../../../schemas/config.schema.json'), 'utf8')) as SchemaNode;
const keysOf = (node: SchemaNode): string => Object.keys(node.properties).join(', ');

t.test("the original player's configuration validates unchanged and resolves with its meaning", async (t) => {
  const config = await loadConfig(ORIGINAL);
  const dir = join(import.meta.dirname, '../../fixtures/compat');
  t.same(config.trace.files, [join(dir, 'traces/prod-dal09-logstash-2017.06.20-0.json'), join(dir, 'traces/prod-dal09-logstash-2017.06.20-1.json')]);
  t.same(config.trace.limit, { type: 'requests', amount: 5000 });
  t.equal(config.trace.output, join(dir, 'results.json'));
  t.same(config.registries, ['localhost:5000', 'localhost:5001']);
  t.same(config.clientInfo, { clientList: ['localhost:8081', 'localhost:8082'], threads: 50, wait: true, route: true, speed: 1, inFlight: 3, lateMs: 10, timeoutMs: 30000 });
  t.same(config.warmup, { output: join(dir, 'interm.json'), threads: 16, random: true, registries: 'first', manifests: 'blob' });
  t.same(config.simulate, { names: ['cache.py'], args: { cache_size: 8 }, sweep: {}, latency: undefined });
  t.equal(config.verbose, true);
});

t.test('defaults: the original player\'s where it had one, drtp\'s otherwise', async (t) => {
  const config = resolveConfig({ trace: { traces: ['/abs/a.json', 'rel.json'] } }, '/etc/drtp/config.yaml');
  t.same(config.trace.files, ['/abs/a.json', '/etc/drtp/rel.json'], 'relative to the configuration file');
  t.equal(config.trace.output, '/etc/drtp/output.json');
  t.equal(config.clientInfo.wait, false);
  t.equal(config.clientInfo.route, true);
  t.ok(config.clientInfo.threads >= 1);
  t.same(config.warmup, { output: undefined, threads: 1, random: false, registries: 'first', manifests: 'blob' });
  t.equal(config.trace.includeFailed, undefined, 'unset: each job has its default');
});

t.test('every problem is reported with its path, line and a hint', async (t) => {
  const text = [
    'client_info:', //      1
    '  thread: 4', //        2
    '  wait: "yes"', //      3
    'trace:', //             4
    '  location: ./t', //    5
    '  limit:', //           6
    '    type: request', //  7
    '    amount: -3', //     8
    'registry:', //          9
    '  - localhost:5000', // 10
    '  - 5001', //           11
    'warmpu:', //            12
    '  output: x.json', //   13
    '',
  ].join('\n');
  const { problems } = checkConfigText(text);
  const seen = problems.map((p) => `${p.line} ${p.path} ${p.message}${p.hint ? ` | ${p.hint}` : ''}`);
  t.same(seen, [
    `2 /client_info/thread unknown key "thread" | did you mean "threads"? allowed here: ${keysOf(SCHEMA.properties.client_info)}`,
    '3 /client_info/wait must be true or false, not string "yes"',
    '4 /trace/traces is required but missing',
    '7 /trace/limit/type "request" is not allowed | did you mean "requests"? allowed: "requests", "seconds"',
    '8 /trace/limit/amount must be >= 0',
    '11 /registry/1 must be a string or a mapping, not the integer 5001',
    `12 /warmpu unknown key "warmpu" | did you mean "warmup"? allowed here: ${keysOf(SCHEMA)}`,
  ]);
});

t.test('YAML syntax errors and non-integer request limits are reported with their line', async (t) => {
  const broken = checkConfigText('trace:\n  traces: [a.json\n');
  t.equal(broken.problems.length, 1);
  t.match(broken.problems[0], { path: '', message: /^not valid YAML\/JSON/ });
  t.ok(broken.problems[0].line !== undefined);
  const fractional = checkConfigText('trace:\n  traces: [a.json]\n  limit: {type: requests, amount: 2.5}\n');
  t.same(fractional.problems, [{ path: '/trace/limit/amount', line: 3, message: 'must be a whole number of requests, not 2.5' }]);
  const json = checkConfigText('{"trace": {"traces": ["a.json"]}, "registry": ["https://registry.example:5000", {"url": "localhost:5001", "username": "u", "password_env": "PW", "insecure": true}]}');
  t.same(json.problems, [], 'JSON is accepted too, and registry entries with credentials');
  const entry = checkConfigText('trace:\n  traces: [a.json]\nregistry:\n  - username: u\n    pasword: x\n');
  t.same(
    entry.problems.map((p) => `${p.line} ${p.path} ${p.message}`),
    ['4 /registry/0/url is required but missing', '5 /registry/0/pasword unknown key "pasword"'],
    'a registry mapping reports its own keys, not the string branch',
  );
});

t.test('loadConfig throws one E_CONFIG error listing every problem', async (t) => {
  const dir = t.testdir({ 'bad.yaml': 'trace:\n  traces: []\nverbose: 3\n' });
  const err = (await loadConfig(join(dir, 'bad.yaml')).catch((e: unknown) => e)) as ConfigError;
  t.equal(err.code, 'E_CONFIG');
  t.equal(err.problems.length, 2);
  t.match(err.message, /bad\.yaml:2: \/trace\/traces: must NOT have fewer than 1 items/);
  t.match(err.message, /bad\.yaml:3: \/verbose: must be true or false, not the integer 3/);
  await t.rejects(loadConfig(join(dir, 'missing.yaml')), { code: 'E_CONFIG', message: /cannot read configuration/ });
});
