import type { ErrorObject, ValidateFunction } from 'ajv';
import { CONFIG_SCHEMA, loadSchema } from '../schema-validator.js';
import { closest } from './hints.js';
import type { ConfigProblem } from './types.js';

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  enum?: unknown[];
  oneOf?: SchemaNode[];
}

/** Keys whose values are secrets: a problem with one never prints the value. */
const SECRET_KEYS = new Set(['password']);

let compiled: { validate: ValidateFunction; schema: SchemaNode } | undefined;

/** The config schema and its validator, loaded once per process. */
function configValidator(): { validate: ValidateFunction; schema: SchemaNode } {
  compiled ??= loadSchema<SchemaNode>(CONFIG_SCHEMA);
  return compiled;
}

/** Every way `data` breaks the schema, one problem per error, with hints (lines are added later). */
export function schemaProblems(data: unknown): ConfigProblem[] {
  const { validate, schema } = configValidator();
  if (validate(data)) return [];
  return dedupe(resolveOneOf(validate.errors ?? []).map((e) => describe(e, schema)));
}

/**
 * ajv reports a failed `oneOf` as the errors of every branch plus the oneOf itself. Keep only the
 * branch of the value's own type (a mapping's missing key, not "must be a string"), or one error
 * naming the types allowed when no branch has that type.
 */
function resolveOneOf(errors: ErrorObject[]): ErrorObject[] {
  const out = errors.filter((e) => e.keyword !== 'oneOf');
  for (const oneOf of errors.filter((e) => e.keyword === 'oneOf')) {
    const prefix = `${oneOf.schemaPath}/`;
    const branches = (oneOf.schema as { type?: string }[]).map((b) => b.type);
    const own = branches.indexOf(jsonType(oneOf.data));
    const inside = (e: ErrorObject): boolean => e.schemaPath.startsWith(prefix);
    const kept = out.filter(
      (e) =>
        !inside(e) ||
        (own >= 0 &&
          e.schemaPath.startsWith(`${prefix}${own}/`) &&
          !(e.keyword === 'type' && e.instancePath === oneOf.instancePath)),
    );
    out.length = 0;
    out.push(...kept);
    if (own < 0) out.push({ ...oneOf, keyword: 'type', params: { type: branches.join(' or ') } });
  }
  return out;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function describe(error: ErrorObject, schema: SchemaNode): ConfigProblem {
  const path = error.instancePath;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperty':
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys(schemaAt(schema, path)?.properties ?? {});
      const guess = closest(key, allowed);
      return {
        path: `${path}/${escapePointer(key)}`,
        message: `unknown key "${key}"`,
        hint: `${guess === undefined ? '' : `did you mean "${guess}"? `}allowed here: ${allowed.join(', ')}`,
      };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v));
      const guess =
        typeof error.data === 'string'
          ? closest(error.data, (params.allowedValues as unknown[]).map(String))
          : undefined;
      return {
        path,
        message: `${JSON.stringify(error.data)} is not allowed`,
        hint: `${guess === undefined ? '' : `did you mean "${guess}"? `}allowed: ${allowed.join(', ')}`,
      };
    }
    case 'required':
      return { path: `${path}/${escapePointer(String(params.missingProperty))}`, message: 'is required but missing' };
    case 'type': {
      const secret = SECRET_KEYS.has(unescapePointer(path.slice(path.lastIndexOf('/') + 1)));
      return {
        path,
        message: `must be ${article(String(params.type))}, not ${secret ? `${article(jsonType(error.data))} (value hidden)` : typeName(error.data)}`,
      };
    }
    default:
      return { path, message: error.message ?? `fails ${error.keyword}` };
  }
}

/** The schema node describing the mapping at a JSON pointer (of a oneOf, the branch that is one). */
function schemaAt(schema: SchemaNode, pointer: string): SchemaNode | undefined {
  let node: SchemaNode | undefined = schema;
  for (const segment of pointer.split('/').slice(1)) {
    if (node === undefined) return undefined;
    node = /^\d+$/.test(segment) && node.items !== undefined ? node.items : node.properties?.[unescapePointer(segment)];
    node = node?.oneOf?.find((branch) => branch.properties !== undefined) ?? node;
  }
  return node;
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\0${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number' && Number.isInteger(value)) return `the integer ${value}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

function article(type: string): string {
  const names: Record<string, string> = {
    object: 'a mapping',
    array: 'a list',
    integer: 'an integer',
    number: 'a number',
    boolean: 'true or false',
    string: 'a string',
  };
  return type
    .split(' or ')
    .map((t) => names[t] ?? t)
    .join(' or ');
}

export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}
