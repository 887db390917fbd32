import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkConfigText,
  formatProblem,
  loadConfig,
  resolveConfig,
  type ConfigError,
} from '../../../lib/config/load.js';
import { resolveEndpoint } from '../../../lib/registry/endpoint.js';

const ORIGINAL = join(import.meta.dirname, '../../fixtures/compat/original-config.yaml');
interface SchemaNode {
  properties: Record<string, SchemaNode>;
}
const SCHEMA = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../../schemas/config.schema.json'), 'utf8'),
) as SchemaNode;
const keysOf = (node: SchemaNode): string => Object.keys(node.properties).join(', ');

t.test("the original player's configuration validates unchanged and resolves with its meaning", async (t) => {
  const config = await loadConfig(ORIGINAL);
  const dir = join(import.meta.dirname, '../../fixtures/compat');
  t.same(config.trace.files, [
    join(dir, 'traces/prod-dal09-logstash-2017.06.20-0.json'),
    join(dir, 'traces/prod-dal09-logstash-2017.06.20-1.json'),
  ]);
  t.same(config.trace.limit, { type: 'requests', amount: 5000 });
  t.equal(config.trace.output, join(dir, 'results.json'));
  t.same(config.registries, ['localhost:5000', 'localhost:5001']);
  t.same(config.clientInfo, {
    clientList: ['localhost:8081', 'localhost:8082'],
    threads: 50,
    wait: true,
    route: true,
    speed: 1,
    inFlight: 3,
    lateMs: 10,
    timeoutMs: 30000,
    verifyDigests: false,
    checkSizes: true,
    protocol: 'auto',
    userAgent: 'traced',
  });
  t.same(config.warmup, {
    output: join(dir, 'interm.json'),
    threads: 16,
    random: true,
    registries: 'first',
    manifests: 'blob',
  });
  t.same(config.simulate, {
    names: ['cache.py'],
    python: undefined,
    args: { cache_size: 8 },
    sweep: {},
    latency: undefined,
  });
  t.equal(config.verbose, true);
});

t.test("defaults: the original player's where it had one, drtp's otherwise", async (t) => {
  const config = resolveConfig({ trace: { traces: ['/abs/a.json', 'rel.json'] } }, '/etc/drtp/config.yaml');
  t.same(config.trace.files, ['/abs/a.json', '/etc/drtp/rel.json'], 'relative to the configuration file');
  t.equal(config.trace.output, '/etc/drtp/output.json');
  t.equal(config.clientInfo.wait, false);
  t.equal(config.clientInfo.route, true);
  t.equal(config.clientInfo.protocol, 'auto', 'HTTP/2 where the registry offers it over TLS, as Go clients');
  t.equal(config.clientInfo.userAgent, 'traced', "each record's own User-Agent");
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
  t.same(fractional.problems, [
    { path: '/trace/limit/amount', line: 3, message: 'must be a whole number of requests, not 2.5' },
  ]);
  const json = checkConfigText(
    '{"trace": {"traces": ["a.json"]}, "registry": ["https://registry.example:5000", {"url": "localhost:5001", "username": "u", "password_env": "PW", "insecure": true}]}',
  );
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

t.test(
  'a registry given as one string, not a list, is a problem with its path (it crashed the semantic rules)',
  async (t) => {
    const { problems } = checkConfigText('trace:\n  traces: [a.json]\nregistry: 127.0.0.1:5000\n');
    t.same(problems, [{ path: '/registry', line: 3, message: 'must be a list, not string "127.0.0.1:5000"' }]);
  },
);

t.test('registry addresses: validate applies the one check every job applies', async (t) => {
  const { problems } = checkConfigText(
    'trace:\n  traces: [a.json]\nregistry:\n  - 127.0.0.1:99999\n  - http://[::1\n  - {url: "ftp://host:21"}\n  - http://host:5000/v2/\n  - 127.0.0.1:5000\n  - "[::1]:5000"\n  - https://registry.example:443\n',
  );
  t.same(
    problems.map((p) => [p.path, p.message]),
    [
      ['/registry/0', '"127.0.0.1:99999" is not host:port or an http(s):// URL'],
      ['/registry/1', '"http://[::1" is not host:port or an http(s):// URL'],
      ['/registry/2/url', '"ftp://host:21" is not host:port or an http(s):// URL'],
      [
        '/registry/3',
        '"http://host:5000/v2/" has a path: give the registry\'s origin (host:port or http(s)://host:port)',
      ],
    ],
  );
  for (const [, message] of problems.map((p) => [p.path, p.message])) {
    const address = /"([^"]+)"/.exec(message)?.[1] as string;
    t.throws(() => resolveEndpoint(address, '/'), { code: 'E_CONFIG' }, `run refuses ${address} too`);
  }
});

t.test('credentials never appear in a configuration problem', async (t) => {
  const { problems } = checkConfigText(
    'trace:\n  traces: [a.json]\nregistry:\n  - {url: "http://127.0.0.1:5000", username: u, password: 987654321}\n  - "http://user:s3cret-pw@[::1"\n',
  );
  const text = problems.map((p) => formatProblem('c.yaml', p)).join('\n');
  t.match(text, 'c.yaml:4: /registry/0/password: must be a string, not an integer (value hidden)');
  t.notMatch(text, '987654321');
  const url = checkConfigText('trace:\n  traces: [a.json]\nregistry:\n  - "http://user:s3cret-pw@[::1"\n').problems;
  t.same(
    url.map((p) => p.message),
    ['"http://(credentials hidden)@[::1" is not host:port or an http(s):// URL'],
  );
  t.throws(() => resolveEndpoint('http://user:s3cret-pw@[::1', '/'), {
    message: /^registry "http:\/\/\(credentials hidden\)@\[::1"/,
  });
});

t.test('an unknown key inside a registry entry lists the keys allowed there', async (t) => {
  const { problems } = checkConfigText(
    'trace:\n  traces: [a.json]\nregistry:\n  - {url: "127.0.0.1:5000", pasword: x}\n',
  );
  t.same(problems, [
    {
      path: '/registry/0/pasword',
      line: 4,
      message: 'unknown key "pasword"',
      hint: 'did you mean "password"? allowed here: url, username, password, password_env, ca, insecure',
    },
  ]);
});
