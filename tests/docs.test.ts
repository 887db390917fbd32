import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES } from '../lib/errors.js';
import { COMMAND_NAMES } from '../cli/cli.js';

const root = join(import.meta.dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
}

/** The keys a user sets: leaves, plus small objects documented as one (a limit, a registry entry, a latency model). */
const ATOMIC = new Set(['registry', 'trace.limit', 'simulate.latency']);
function keys(node: SchemaNode, prefix = ''): string[] {
  return Object.entries(node.properties ?? {}).flatMap(([k, v]) => {
    const key = `${prefix}${k}`;
    return v.properties === undefined || ATOMIC.has(key) ? [key] : keys(v, `${key}.`);
  });
}

t.test('the README documents every configuration key, error code and command', async (t) => {
  const schema = JSON.parse(readFileSync(join(root, 'schemas/config.schema.json'), 'utf8')) as SchemaNode;
  const missingKeys = keys(schema).filter((k) => !readme.includes(`\`${k}\``));
  t.same(missingKeys, [], 'configuration keys');
  t.same(
    Object.keys(ERROR_CODES).filter((code) => !readme.includes(`\`${code}\``)),
    [],
    'error codes',
  );
  t.same(
    COMMAND_NAMES.map((name) => `drtp ${name}`).filter((c) => !readme.includes(`\`${c}`)),
    [],
    'commands',
  );
});

t.test("the README's two set-up commands are the ones CI and the demo use", async (t) => {
  t.match(readme, '```sh\nbash .ci/install && npm ci && npx drtp demo\n```');
  t.match(readme, '```sh\nbash .ci/run\n```');
  t.match(
    readFileSync(join(root, '.ci/run'), 'utf8'),
    /\nsuite "Node \$\(node --version\)" npm test\n/,
    "CI runs the README's test command",
  );
});

t.test('every example configuration validates', async (t) => {
  const { readdirSync } = await import('node:fs');
  const { checkConfigFile } = await import('../lib/config/load.js');
  const examples = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.yaml'));
  t.ok(examples.length >= 3);
  for (const f of examples) t.same((await checkConfigFile(join(root, 'examples', f))).problems, [], f);
});
