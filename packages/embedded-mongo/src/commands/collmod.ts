/**
 * `collMod`: changes a collection's validation options, whether change streams see its pre- and
 * post-images (`changeStreamPreAndPostImages`), and an index's `expireAfterSeconds` (TTL) or
 * `hidden` flag — what mongoose (`cleanIndexes({hideIndexes})`) and TTL tuning use.
 * Other modifications fail loudly.
 */
import type { Document } from 'bson';
import { MongoCommandError, badValue } from '../errors';
import { isNumeric, toNumber } from '../bson/values';
import { isPlainDoc } from '../bson/paths';
import type { Doc } from '../bson/paths';
import type { Collection, IndexSpec } from '../storage/collection';
import { Effects } from '../storage/engine';
import type { Handler } from './context';
import { GENERIC_COMMAND_FIELDS } from './ddl';
import { checkValidationOptions, preAndPostImagesOption } from './validation';
import { collectionName } from './write';

const VALIDATION_FIELDS = ['validator', 'validationLevel', 'validationAction'] as const;
const UNSUPPORTED = new Set(['viewOn', 'pipeline', 'timeseries', 'cappedSize', 'cappedMax', 'recordPreImages', 'expireAfterSeconds']);

/** The index a collMod names (by `name` or `keyPattern`), and the changes asked of it. */
function indexChange(raw: unknown, coll: Collection): { spec: IndexSpec; changes: Partial<IndexSpec> } {
  if (!isPlainDoc(raw)) throw new MongoCommandError(14, "BSON field 'collMod.index' is the wrong type, expected type 'object'");
  const { name, keyPattern, expireAfterSeconds, hidden, ...rest } = raw;
  const other = Object.keys(rest)[0];
  if (other === 'unique' || other === 'prepareUnique' || other === 'forceNonUnique') {
    throw new MongoCommandError(115, `collMod index option '${other}' is not supported by embedded-mongo`);
  }
  if (other !== undefined) throw new MongoCommandError(40415, `BSON field 'collMod.index.${other}' is an unknown field.`);
  if (name !== undefined && keyPattern !== undefined) throw badValue('Cannot specify both key pattern and name.');
  if (name === undefined && keyPattern === undefined) throw badValue('Must specify either index name or key pattern.');
  if (expireAfterSeconds === undefined && hidden === undefined) {
    throw badValue('no expireAfterSeconds, hidden, unique, or prepareUnique field');
  }
  const target: unknown = name ?? keyPattern;
  const isId = target === '_id_' || (isPlainDoc(target) && Object.keys(target).join() === '_id');
  if (isId) throw badValue(hidden !== undefined ? "can't hide _id index" : 'cannot modify the _id index');
  const idx = coll.findIndex(target);
  if (!idx) throw new MongoCommandError(27, `cannot find index ${typeof target === 'string' ? target : JSON.stringify(target)} for ns ${coll.ns}`);
  const changes: Partial<IndexSpec> = {};
  if (expireAfterSeconds !== undefined) {
    if (!isNumeric(expireAfterSeconds) || toNumber(expireAfterSeconds) < 0) throw badValue('expireAfterSeconds must be a number >= 0');
    if (idx.fields.length !== 1) throw new MongoCommandError(72, 'TTL indexes are single-field indexes, compound indexes do not support TTL');
    changes.expireAfterSeconds = toNumber(expireAfterSeconds);
  }
  if (hidden !== undefined) {
    if (typeof hidden !== 'boolean') throw new MongoCommandError(14, "BSON field 'collMod.index.hidden' is the wrong type, expected type 'bool'");
    changes.hidden = hidden;
  }
  return { spec: idx.spec, changes };
}

export const collMod: Handler = (cmd, ctx) => {
  const name = collectionName(cmd, 'collMod');
  const { engine } = ctx.server;
  const coll = engine.getCollection(ctx.db, name);
  if (!coll) throw new MongoCommandError(26, `ns does not exist: ${ctx.db}.${name}`);
  for (const key of Object.keys(cmd)) {
    if (
      key === 'collMod' ||
      key === 'index' ||
      key === 'changeStreamPreAndPostImages' ||
      GENERIC_COMMAND_FIELDS.has(key) ||
      (VALIDATION_FIELDS as readonly string[]).includes(key)
    )
      continue;
    if (UNSUPPORTED.has(key)) throw new MongoCommandError(115, `collMod option '${key}' is not supported by embedded-mongo`);
    throw new MongoCommandError(40415, `BSON field 'collMod.${key}' is an unknown field.`);
  }
  checkValidationOptions(cmd, coll);
  const change = cmd.index === undefined ? undefined : indexChange(cmd.index, coll);
  const images = cmd.changeStreamPreAndPostImages === undefined ? undefined : { value: preAndPostImagesOption(cmd, 'collMod', coll.cap !== undefined) };
  const effects = new Effects();
  const reply: Document = {};
  if (VALIDATION_FIELDS.some((f) => cmd[f] !== undefined) || images) {
    const options: Doc = { ...coll.options };
    for (const f of VALIDATION_FIELDS) if (cmd[f] !== undefined) options[f] = cmd[f];
    if (images?.value) options.changeStreamPreAndPostImages = images.value;
    else if (images) delete options.changeStreamPreAndPostImages;
    engine.setOptions(effects, coll, options);
  }
  if (change) {
    const { spec, changes } = change;
    // mongod reports each changed index option as <option>_old / <option>_new.
    if (changes.expireAfterSeconds !== undefined && changes.expireAfterSeconds !== spec.expireAfterSeconds) {
      if (spec.expireAfterSeconds !== undefined) reply.expireAfterSeconds_old = spec.expireAfterSeconds;
      reply.expireAfterSeconds_new = changes.expireAfterSeconds;
    }
    if (changes.hidden !== undefined && changes.hidden !== (spec.hidden === true)) {
      reply.hidden_old = spec.hidden === true;
      reply.hidden_new = changes.hidden;
    }
    engine.updateIndexSpec(effects, coll, { ...spec, ...changes });
  }
  reply.ok = 1;
  const p = engine.commit(effects);
  return p ? p.then(() => reply) : reply;
};
