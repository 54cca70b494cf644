/**
 * Collection options shared by `create` and `collMod`: document validation (`validator`,
 * `validationLevel`, `validationAction`) checked and enforced as mongod does, and the capped
 * options' rules.
 */
import { MongoCommandError, badValue } from '../errors';
import { compileFilter } from '../filter/match';
import { validationFailureDetails } from '../filter/validation-errors';
import type { Predicate } from '../filter/match';
import { isNumeric, toNumber } from '../bson/values';
import { isPlainDoc } from '../bson/paths';
import type { Doc } from '../bson/paths';
import type { Logger } from '../logger';
import type { Collection } from '../storage/collection';

const LEVELS = ['off', 'strict', 'moderate'];
const ACTIONS = ['error', 'warn'];

function enumValue(value: unknown, field: string, allowed: string[]): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || !allowed.includes(value)) throw badValue(`Enumeration value '${String(value)}' for field '${field}' is not a valid value.`);
}

/** Checks `validator` / `validationLevel` / `validationAction` of a create or collMod command. */
export function checkValidationOptions(cmd: Doc, collection: Collection | undefined): void {
  enumValue(cmd.validationLevel, 'validationLevel', LEVELS);
  enumValue(cmd.validationAction, 'validationAction', ACTIONS);
  if (cmd.validator === undefined) return;
  if (!isPlainDoc(cmd.validator)) throw new MongoCommandError(14, "BSON field 'validator' is the wrong type, expected type 'object'");
  compileFilter(cmd.validator, { collation: collection?.collation });
}

/**
 * `changeStreamPreAndPostImages: {enabled: <bool>}` of create / collMod: whether change streams
 * can show the documents before and after each change (`fullDocumentBeforeChange`,
 * `fullDocument: 'whenAvailable' | 'required'`). Returns the option to store (none when off).
 */
export function preAndPostImagesOption(cmd: Doc, command: string, capped: boolean): Doc | undefined {
  const value: unknown = cmd.changeStreamPreAndPostImages;
  if (!isPlainDoc(value)) throw new MongoCommandError(14, `BSON field '${command}.changeStreamPreAndPostImages' is the wrong type, expected type 'object'`);
  const extra = Object.keys(value).find((k) => k !== 'enabled');
  if (extra !== undefined) throw new MongoCommandError(40415, `BSON field '${command}.changeStreamPreAndPostImages.${extra}' is an unknown field.`);
  if (value.enabled === undefined)
    throw new MongoCommandError(40414, `BSON field '${command}.changeStreamPreAndPostImages.enabled' is missing but a required field`);
  if (typeof value.enabled !== 'boolean')
    throw new MongoCommandError(14, `BSON field '${command}.changeStreamPreAndPostImages.enabled' is the wrong type, expected type 'bool'`);
  if (!value.enabled) return undefined;
  if (capped) throw new MongoCommandError(72, 'changeStreamPreAndPostImages is not supported for capped collections');
  return { enabled: true };
}

/** mongod's rules for `capped`, `size` and `max` in `create`. */
export function checkCappedOptions(cmd: Doc): void {
  for (const f of ['size', 'max'] as const) {
    if (cmd[f] !== undefined && !isNumeric(cmd[f]))
      throw new MongoCommandError(14, `BSON field 'create.${f}' is the wrong type '${typeof cmd[f]}', expected types '[long, int, decimal, double]'`);
  }
  if (cmd.size !== undefined && toNumber(cmd.size) < 1)
    throw new MongoCommandError(51024, `BSON field 'size' value must be >= 1, actual value '${toNumber(cmd.size)}'`);
  const capped = cmd.capped === true || (isNumeric(cmd.capped) && toNumber(cmd.capped) !== 0);
  if (capped && cmd.size === undefined) throw new MongoCommandError(72, "the 'size' field is required when 'capped' is true");
  if ((cmd.size !== undefined || cmd.max !== undefined) && !capped) {
    throw new MongoCommandError(72, "the 'capped' field needs to be true when either the 'size' or 'max' fields are present");
  }
}

const compiled = new WeakMap<Doc, Predicate>();

function validatorOf(coll: Collection): Predicate | undefined {
  const value: unknown = coll.options.validator;
  if (!isPlainDoc(value) || Object.keys(value).length === 0) return undefined;
  let predicate = compiled.get(value);
  if (!predicate) {
    predicate = compileFilter(value, { collation: coll.collation });
    compiled.set(value, predicate);
  }
  return predicate;
}

/**
 * A check each inserted or updated document goes through, or `undefined` when the collection has
 * no validation (or the command bypasses it). `old` is the document before an update: with
 * `validationLevel: 'moderate'`, updates of documents that already failed are not checked.
 */
export function documentValidator(coll: Collection, logger: Logger, bypass: boolean): ((doc: Doc, old: Doc | undefined) => void) | undefined {
  const level = coll.options.validationLevel ?? 'strict';
  const pred = validatorOf(coll);
  if (bypass || !pred || level === 'off') return undefined;
  const warnOnly = coll.options.validationAction === 'warn';
  return (doc, old) => {
    if (pred(doc)) return;
    if (level === 'moderate' && old !== undefined && !pred(old)) return;
    if (warnOnly) {
      logger.warn(`Document would fail validation: collection ${coll.ns}, _id ${String(doc._id)}`);
      return;
    }
    const details = validationFailureDetails(coll.options.validator as Doc, doc, { collation: coll.collation });
    throw new MongoCommandError(121, 'Document failed validation', {
      errInfo: details ? { failingDocumentId: doc._id, details } : { failingDocumentId: doc._id },
    });
  };
}
