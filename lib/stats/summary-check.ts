import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020Module from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import { packageRoot } from '../paths.js';
import { decodeHistogram } from './histogram.js';

// ajv is CommonJS: under NodeNext its class is the namespace's `default`.
const Ajv2020 = Ajv2020Module.default;

let validator: ValidateFunction | undefined;

/** The summary schema, compiled once per process. */
function summaryValidator(): ValidateFunction {
  validator ??= new Ajv2020({ allErrors: false, strict: false }).compile(
    JSON.parse(readFileSync(join(packageRoot(), 'schemas', 'summary.schema.json'), 'utf8')) as object,
  );
  return validator;
}

/** What in `data` keeps it from being a run summary (schemas/summary.schema.json, and histograms that decode), or undefined. */
export function summaryProblem(data: unknown): { field: string; message: string } | undefined {
  const validate = summaryValidator();
  if (!validate(data)) {
    const error = (validate.errors ?? [])[0];
    return {
      field: error?.instancePath === '' || error === undefined ? '(the document)' : error.instancePath,
      message: error?.message ?? 'does not match the summary schema',
    };
  }
  for (const [name, encoded] of Object.entries((data as { histograms: Record<string, string> }).histograms)) {
    try {
      decodeHistogram(encoded);
    } catch (err) {
      return { field: `/histograms/${name}`, message: `is not an encoded HDR histogram (${(err as Error).message})` };
    }
  }
  return undefined;
}
