/**
 * Analyzer worker entry: characterizes one trace file and returns its mergeable partial. Imports only
 * lib/, the runtime and the message types.
 */
import { analyzeFile, type FilePartial } from '../lib/analyze/pass.js';
import type { AnalyzeTask } from './messages.js';
import { actorEntry } from './runtime.js';

export default actorEntry<AnalyzeTask, FilePartial>(async (task) => analyzeFile(task.file, task.strict));
