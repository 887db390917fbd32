/**
 * Build step (`npm run build`): writes each schema's validator as a module of its own, ajv's standalone
 * code, so that a command validates without loading ajv or compiling the schema (see `loadSchema`).
 */
import { createRequire } from 'node:module';
import type StandaloneModule from 'ajv/dist/standalone/index.js';
import { writeFileAtomic } from './fsutil/atomic.js';
import { ajv2020, builtValidatorPath, SCHEMAS, schemaKey, schemaText } from './schema-validator.js';

const require = createRequire(import.meta.url);
const { default: standaloneCode } = require('ajv/dist/standalone/index.js') as typeof StandaloneModule;

for (const spec of SCHEMAS) {
  const text = schemaText(spec);
  const ajv = new (ajv2020())({ ...spec.options, code: { source: true } });
  const validate = ajv.compile(JSON.parse(text) as object);
  await writeFileAtomic(
    builtValidatorPath(spec),
    `// Made by npm run build from schemas/${spec.file} with ajv: edit the schema, not this file.\n`,
    standaloneCode(ajv, validate),
    `\nmodule.exports.schemaKey = ${JSON.stringify(schemaKey(text, spec))};\n`,
  );
}
