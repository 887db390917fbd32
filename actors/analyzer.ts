/**
 * Analyzer worker entry: characterizes one trace file and returns its mergeable partial (errors as
 * data). Imports only lib/ and the message types.
 */
import { analyzeFile } from '../lib/analyze/pass.js';
import { isDrtpError } from '../lib/errors.js';
import { PROTOCOL_VERSION, type AnalyzeTask, type AnalyzeTaskResult } from './messages.js';

export default async function analyzerWorker(task: AnalyzeTask): Promise<AnalyzeTaskResult> {
  if (task.protocolVersion !== PROTOCOL_VERSION) throw new Error(`analyzer speaks protocol ${PROTOCOL_VERSION}, got ${task.protocolVersion}`);
  try {
    return { ok: true, partial: await analyzeFile(task.file, task.strict) };
  } catch (err) {
    return { ok: false, error: isDrtpError(err) ? err.toData() : { code: 'E_INTERNAL', message: String((err as Error)?.stack ?? err) } };
  }
}
