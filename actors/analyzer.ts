/**
 * Analyzer worker entry: characterizes trace files (each file inside an archive too), in order, and
 * returns their mergeable partials. Imports only
 * lib/, the runtime and the message types.
 */
import { analyzeInput, type FilePartial } from '../lib/analyze/pass.js';
import type { Protocols } from './messages.js';
import { actorEntry } from './runtime.js';

export default actorEntry<Protocols['analyzer']>(async (task) => {
  const partials: FilePartial[] = [];
  for (const file of task.files) partials.push(...(await analyzeInput(file, task.strict)));
  return partials;
});
