import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import type { Options, ValidateFunction } from 'ajv';
import type Ajv2020Module from 'ajv/dist/2020.js';
import { packageRoot } from './paths.js';

/** A schema of `schemas/` and the ajv options its validator is compiled with. */
export interface SchemaSpec {
  file: string;
  options: Options;
}

/** Every error, with the failing schema and data (the hints need both). */
export const CONFIG_SCHEMA: SchemaSpec = {
  file: 'config.schema.json',
  options: { allErrors: true, strict: true, verbose: true },
};
export const SUMMARY_SCHEMA: SchemaSpec = { file: 'summary.schema.json', options: { allErrors: false, strict: false } };

export const SCHEMAS = [CONFIG_SCHEMA, SUMMARY_SCHEMA];

// ajv is CommonJS, and loaded only when a validator has to be compiled here: requiring it is synchronous.
const require = createRequire(import.meta.url);

export interface LoadedSchema<S> {
  validate: ValidateFunction;
  schema: S;
}

/**
 * A schema and its validator: the one `npm run build` compiled, so that a command loads neither ajv nor
 * its compiler, or, when there is none for this schema's text and options (a source checkout not built
 * since the schema changed), one compiled now.
 */
export function loadSchema<S>(spec: SchemaSpec): LoadedSchema<S> {
  const text = schemaText(spec);
  const schema = JSON.parse(text) as S;
  return { validate: builtValidator(spec, schemaKey(text, spec)) ?? compileValidator(schema, spec), schema };
}

/** The schema's text, as `schemas/` holds it. */
export function schemaText(spec: SchemaSpec): string {
  return readFileSync(join(packageRoot(), 'schemas', spec.file), 'utf8');
}

/** Compiles the validator with ajv, in this process. */
export function compileValidator(schema: unknown, spec: SchemaSpec): ValidateFunction {
  return new (ajv2020())(spec.options).compile(schema as object);
}

/** Where the build puts a schema's compiled validator. */
export function builtValidatorPath(spec: SchemaSpec): string {
  return join(packageRoot(), 'dist', 'schemas', `${basename(spec.file, '.json')}.validate.cjs`);
}

/** What a built validator must have been made from: the schema's text and the options. */
export function schemaKey(text: string, spec: SchemaSpec): string {
  return createHash('sha256').update(JSON.stringify(spec.options)).update('\0').update(text).digest('hex');
}

function builtValidator(spec: SchemaSpec, key: string): ValidateFunction | undefined {
  const file = builtValidatorPath(spec);
  if (!existsSync(file)) return undefined;
  const built = require(file) as ValidateFunction & { schemaKey?: unknown };
  return built.schemaKey === key ? built : undefined;
}

export function ajv2020(): typeof Ajv2020Module.default {
  return (require('ajv/dist/2020.js') as typeof Ajv2020Module).default;
}
