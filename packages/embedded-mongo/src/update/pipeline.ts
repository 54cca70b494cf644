/**
 * Pipeline-style updates (`u: [stage, …]`): the stages mongod allows there ($addFields/$set,
 * $project/$unset, $replaceRoot/$replaceWith) run over the one document, with the statement's
 * `let` variables and collation. `_id` is put back if the pipeline drops it, as mongod does.
 */
import { MongoCommandError } from '../errors';
import { runPipeline, validatePipeline } from '../aggregate/pipeline';
import type { PipelineOptions } from '../aggregate/pipeline';
import { isPlainDoc } from '../bson/paths';
import type { Doc } from '../bson/paths';

const UPDATE_STAGES = new Set(['$addFields', '$set', '$project', '$unset', '$replaceRoot', '$replaceWith']);

export function validateUpdatePipeline(stages: unknown[]): Doc[] {
  for (const stage of stages) {
    if (!isPlainDoc(stage)) throw new MongoCommandError(14, 'each element of the update pipeline must be an object');
  }
  const checked = validatePipeline(stages);
  for (const stage of checked) {
    const name = Object.keys(stage)[0] as string;
    if (!UPDATE_STAGES.has(name)) throw new MongoCommandError(72, `${name} is not allowed to be used within an update`);
  }
  return checked;
}

export function applyUpdatePipeline(doc: Doc, stages: Doc[], opts: PipelineOptions): Doc {
  const [out] = runPipeline([doc], stages, () => [], opts);
  if (!isPlainDoc(out)) throw new MongoCommandError(40228, "'replacement document' must evaluate to an object");
  if (doc._id !== undefined && out._id === undefined) return { _id: doc._id, ...out };
  return out;
}
