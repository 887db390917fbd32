import type { ValidateFunction } from 'ajv';
import { loadSchema, SUMMARY_SCHEMA } from '../schema-validator.js';
import { decodeHistogram } from './histogram.js';

let validator: ValidateFunction | undefined;

/** The summary schema's validator, loaded once per process. */
function summaryValidator(): ValidateFunction {
  validator ??= loadSchema(SUMMARY_SCHEMA).validate;
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
