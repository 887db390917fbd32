/**
 * Analyzer worker entry: characterizes one trace file (or each file inside an archive) and returns the
 * mergeable partials. Imports only
 * lib/, the runtime and the message types.
 */
import { analyzeInput, type FilePartial } from '../lib/analyze/pass.js';
import type { AnalyzeTask } from './messages.js';
import { actorEntry } from './runtime.js';

export default actorEntry<AnalyzeTask, FilePartial[]>(async (task) => analyzeInput(task.file, task.strict));
