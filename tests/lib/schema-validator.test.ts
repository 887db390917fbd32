import t from 'tap';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parse } from 'yaml';
import { packageRoot } from '../../lib/paths.js';
import {
  builtValidatorPath,
  compileValidator,
  CONFIG_SCHEMA,
  loadSchema,
  SUMMARY_SCHEMA,
  type SchemaSpec,
} from '../../lib/schema-validator.js';

const require = createRequire(import.meta.url);
const root = packageRoot();
const yamlFile = (path: string): unknown => parse(readFileSync(join(root, path), 'utf8')) as unknown;
const schemaOf = (spec: SchemaSpec): unknown => JSON.parse(readFileSync(join(root, 'schemas', spec.file), 'utf8'));

/** Configurations right and wrong in the ways users get them wrong, and whether each is valid. */
const CONFIGS: [string, unknown, boolean][] = [
  ['examples/config.yaml', yamlFile('examples/config.yaml'), true],
  ['examples/simulate.yaml', yamlFile('examples/simulate.yaml'), true],
  ["the original player's example", yamlFile('tests/fixtures/compat/original-config.yaml'), true],
  ['nothing (every key has a default)', {}, true],
  ['not a mapping', ['client_info'], false],
  ['a misspelt key', { client_info: { thread: 1 } }, false],
  ['wrong types everywhere', { client_info: { threads: 'two', wait: 'yes', in_flight: -1 }, trace: 7 }, false],
  ['a password of the wrong type', { registry: [{ url: 'http://127.0.0.1:5000', password: 12 }] }, false],
  ['an unknown section', { testmode: { mode: 'warmup' } }, false],
];

t.test('each schema has a built validator, and loading the schema takes it', async (t) => {
  for (const spec of [CONFIG_SCHEMA, SUMMARY_SCHEMA]) {
    const built = require(builtValidatorPath(spec)) as unknown;
    t.equal(loadSchema(spec).validate, built, `${spec.file}: the validator npm run build wrote`);
  }
});

t.test('the built validator judges as ajv compiling the schema here does, error for error', async (t) => {
  const built = loadSchema(CONFIG_SCHEMA).validate;
  const compiled = compileValidator(schemaOf(CONFIG_SCHEMA), CONFIG_SCHEMA);
  for (const [name, config, valid] of CONFIGS) {
    t.equal(built(config), valid, `${name}: ${valid ? 'valid' : 'invalid'}`);
    t.equal(compiled(config), valid, `${name}: compiled here, the same verdict`);
    t.same(built.errors ?? null, compiled.errors ?? null, `${name}: the same errors`);
  }
});

t.test(
  'a validator built from other options is not taken: the schema is compiled with the ones asked for',
  async (t) => {
    const firstErrorOnly: SchemaSpec = { ...CONFIG_SCHEMA, options: { ...CONFIG_SCHEMA.options, allErrors: false } };
    const { validate } = loadSchema(firstErrorOnly);
    t.not(validate, require(builtValidatorPath(CONFIG_SCHEMA)), 'not the built one');
    const wrong = { client_info: { threads: 'two', wait: 'yes' }, trace: 7 };
    t.notOk(validate(wrong));
    t.equal(validate.errors?.length, 1, 'one error: allErrors is off');
    const all = loadSchema(CONFIG_SCHEMA).validate;
    all(wrong);
    t.ok((all.errors?.length ?? 0) > 1, 'the built one, with allErrors, reports them all');
  },
);
