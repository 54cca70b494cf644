/**
 * Updates: operator updates ($set, $unset, $inc, $mul, $min, $max, $rename, $push, $pull,
 * $pullAll, $addToSet, $pop, $currentDate, $setOnInsert) with `$`, `$[]` and `$[<id>]` paths,
 * replacement documents, and pipeline-style updates. An update is prepared once per statement
 * (parsed and checked as mongod does) and then applied to a clone of each document it targets.
 */
import { Long, Timestamp, Decimal128 } from 'bson';
import { MongoCommandError, badValue } from '../errors';
import type { Collation } from '../bson/collation';
import { compileFilter, regexValueTest } from '../filter/match';
import type { MatchOptions } from '../filter/match';
import { applyUpdatePipeline, validateUpdatePipeline } from './pipeline';
import { checkUpdatePath, comparePaths, expandPath, isDynamicPath, parseArrayFilters, pathConflict } from './paths';
import { bsonType, cloneValue, describeValue, isNumeric, toNumber } from '../bson/values';
import { canonicalKey, collatedKey } from '../bson/keys';
import { compareValues, valuesEqual } from '../bson/compare';
import type { StringComparator } from '../bson/compare';
import { deleteField, getElement, getField, hasField, isIndexSegment, isPlainDoc, setField, splitPath } from '../bson/paths';
import type { Doc } from '../bson/paths';

export interface UpdateOptions extends MatchOptions {
  arrayFilters?: unknown;
  multi?: boolean;
  /** Statement constants (`c`), which only pipeline updates may use. */
  constants?: unknown;
}

export interface ApplyContext {
  /** The array position the query matched (for `$`), when it matched through an array. */
  position?: number | undefined;
  /** An upsert inserting: `$setOnInsert` applies and `$`-prefixed top-level fields are allowed. */
  isInsert: boolean;
  now?: Date;
  /** When given, an operator update lists here the modifiers it applied and where (change streams). */
  applied?: AppliedModifier[] | undefined;
}

/** One modifier of an operator update, with the concrete paths it was applied to. */
export interface AppliedModifier {
  op: string;
  arg: unknown;
  paths: string[][];
  /** `$rename`: the destination. */
  to?: string[] | undefined;
}

export interface PreparedUpdate {
  /** Operator update, replacement document or pipeline (change streams report them differently). */
  readonly kind: 'operators' | 'replacement' | 'pipeline';
  /** The update uses the positional `$`, so callers must say where the query matched. */
  readonly positional: boolean;
  apply(doc: Doc, ctx: ApplyContext): Doc;
}

/** What an operator gets besides its document, path and argument. */
interface ModifierContext {
  strCmp: StringComparator | undefined;
  collation: Collation | undefined;
  now: Date;
  isInsert: boolean;
}

type Operator = (doc: Doc, path: string, arg: unknown, context: ModifierContext) => void;

interface Entry {
  op: string;
  path: string;
  parts: string[];
  arg: unknown;
  /** The parts the entry is ordered and conflict-checked by ($rename: its destination). */
  key: string[];
}

export function isOperatorUpdate(update: Doc): boolean {
  const keys = Object.keys(update);
  return keys.length > 0 && (keys[0] as string).startsWith('$');
}

// ---- path access (own properties only, see ./paths) ----

interface Slot {
  parent: Doc | unknown[];
  key: string;
}

/** Returns the container and final key for a path, creating intermediate documents. */
function resolveForWrite(doc: Doc, path: string): Slot {
  const parts = splitPath(path);
  let cur: Doc | unknown[] = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const p = parts[i] as string;
    let next: unknown;
    if (Array.isArray(cur)) {
      if (!isIndexSegment(p)) throw new MongoCommandError(28, `Cannot create field '${p}' in element {${parts.slice(0, i).join('.')}: ${describeValue(cur)}}`);
      next = cur[Number(p)];
      if (next === undefined || next === null) {
        next = {};
        while (cur.length < Number(p)) cur.push(null);
        cur[Number(p)] = next;
      }
    } else {
      next = getField(cur, p);
      if (next === undefined) {
        next = {};
        setField(cur, p, next);
      }
    }
    if (!isPlainDoc(next) && !Array.isArray(next)) {
      throw new MongoCommandError(28, `Cannot create field '${parts[i + 1] ?? ''}' in element {${p}: ${describeValue(next)}}`);
    }
    cur = next;
  }
  return { parent: cur, key: parts[parts.length - 1] as string };
}

function lookupForWrite(doc: Doc, path: string): Slot | undefined {
  const parts = splitPath(path);
  let cur: unknown = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const p = parts[i] as string;
    if (Array.isArray(cur)) cur = getElement(cur, p);
    else if (isPlainDoc(cur)) cur = getField(cur, p);
    else return undefined;
  }
  if (!isPlainDoc(cur) && !Array.isArray(cur)) return undefined;
  return { parent: cur, key: parts[parts.length - 1] as string };
}

function getAt(slot: Slot): unknown {
  if (Array.isArray(slot.parent)) return getElement(slot.parent, slot.key);
  return getField(slot.parent, slot.key);
}

function setAt(slot: Slot, value: unknown): void {
  if (Array.isArray(slot.parent)) {
    if (!isIndexSegment(slot.key)) throw new MongoCommandError(28, `Cannot create field '${slot.key}' in an array`);
    const idx = Number(slot.key);
    while (slot.parent.length < idx) slot.parent.push(null);
    slot.parent[idx] = value;
  } else {
    setField(slot.parent, slot.key, value);
  }
}

function setPath(doc: Doc, path: string, value: unknown): void {
  setAt(resolveForWrite(doc, path), value);
}

function getPathValue(doc: Doc, path: string): unknown {
  const c = lookupForWrite(doc, path);
  return c ? getAt(c) : undefined;
}

function arrayAt(doc: Doc, path: string): unknown[] | undefined {
  const cur = getPathValue(doc, path);
  if (cur === undefined) return undefined;
  if (!Array.isArray(cur)) throw badValue(`The field '${path}' must be an array but is of type ${typeof cur} in document`);
  return cur;
}

// ---- operators ----

function addNumbers(left: unknown, right: unknown, operator: '$inc' | '$mul'): unknown {
  if (!isNumeric(right))
    throw new MongoCommandError(14, `Cannot ${operator === '$inc' ? 'increment' : 'multiply'} with non-numeric argument: ${describeValue(right)}`);
  const base = left === undefined ? 0 : left;
  if (!isNumeric(base)) throw new MongoCommandError(14, `Cannot apply ${operator} to a value of non-numeric type`);
  if (bsonType(base) === 'Decimal128' || bsonType(right) === 'Decimal128') {
    const r = operator === '$inc' ? toNumber(base) + toNumber(right) : toNumber(base) * toNumber(right);
    return Decimal128.fromString(String(r));
  }
  if (bsonType(base) === 'Long' || bsonType(right) === 'Long') {
    const isInt = (x: unknown): boolean => bsonType(x) === 'Long' || (typeof x === 'number' && Number.isInteger(x));
    if (isInt(base) && isInt(right)) {
      const la = bsonType(base) === 'Long' ? (base as Long) : Long.fromNumber(base as number);
      const lb = bsonType(right) === 'Long' ? (right as Long) : Long.fromNumber(right as number);
      return operator === '$inc' ? la.add(lb) : la.multiply(lb);
    }
  }
  const r = operator === '$inc' ? toNumber(base) + toNumber(right) : toNumber(base) * toNumber(right);
  return left === undefined && operator === '$mul' ? 0 * toNumber(right) : r;
}

/** Query keywords that apply to a whole document rather than to a value. */
const DOCUMENT_LEVEL_OPERATORS = new Set(['$and', '$or', '$nor', '$expr', '$where', '$text', '$comment', '$jsonSchema']);

/**
 * Which array elements `$pull` removes, as mongod decides it from the condition's first field: a
 * value operator (`{$gte: 3}`, `{$elemMatch: …}`) tests each element as a value; any other
 * document (`{a: 1}`, `{$or: […]}`) is a query each document element must match; anything else
 * is compared for equality.
 */
function pullMatcher(cond: unknown, context: ModifierContext): (v: unknown) => boolean {
  const match = { collation: context.collation };
  if (isPlainDoc(cond)) {
    const first = Object.keys(cond)[0];
    if (first !== undefined && first.startsWith('$') && !DOCUMENT_LEVEL_OPERATORS.has(first)) {
      const predicate = compileFilter({ v: cond }, match);
      return (v) => predicate({ v });
    }
    const test = compileFilter(cond, match);
    return (v) => isPlainDoc(v) && test(v);
  }
  if (cond instanceof RegExp) return regexValueTest(cond);
  return (v) => valuesEqual(v, cond, context.strCmp);
}

function sortArray(arr: unknown[], sort: unknown, strCmp: StringComparator | undefined): void {
  if (isPlainDoc(sort)) {
    const fields = Object.entries(sort).map(([k, d]) => [k, toNumber(d)] as const);
    arr.sort((left, right) => {
      for (const [path, dir] of fields) {
        const c = compareValues(getPathValue(isPlainDoc(left) ? left : {}, path), getPathValue(isPlainDoc(right) ? right : {}, path), strCmp);
        if (c !== 0) return c * dir;
      }
      return 0;
    });
  } else {
    const dir = toNumber(sort);
    arr.sort((a, b) => compareValues(a, b, strCmp) * dir);
  }
}

const push: Operator = (doc, path, spec, context) => {
  let items: unknown[];
  let slice: number | undefined;
  let sort: unknown;
  let position: number | undefined;
  if (isPlainDoc(spec) && hasField(spec, '$each')) {
    const each = getField(spec, '$each');
    if (!Array.isArray(each)) throw badValue('The argument to $each in $push must be an array');
    items = each;
    const sliceArg = getField(spec, '$slice');
    const positionArg = getField(spec, '$position');
    if (sliceArg !== undefined) slice = toNumber(sliceArg);
    if (positionArg !== undefined) position = toNumber(positionArg);
    sort = getField(spec, '$sort');
  } else {
    items = [spec];
  }
  const existing = arrayAt(doc, path);
  const arr = existing ? existing.slice() : [];
  const clones = items.map((i) => cloneValue(i));
  if (position === undefined) arr.push(...clones);
  else {
    const at = position < 0 ? Math.max(0, arr.length + position) : Math.min(position, arr.length);
    arr.splice(at, 0, ...clones);
  }
  if (sort !== undefined) sortArray(arr, sort, context.strCmp);
  const out = slice === undefined ? arr : slice >= 0 ? arr.slice(0, slice) : arr.slice(Math.max(0, arr.length + slice));
  setPath(doc, path, out);
};

const OPERATORS: Record<string, Operator> = {
  $set: (doc, path, v) => setPath(doc, path, cloneValue(v)),
  $setOnInsert: (doc, path, value, context) => {
    if (context.isInsert) setPath(doc, path, cloneValue(value));
  },
  $unset: (doc, path) => {
    const c = lookupForWrite(doc, path);
    if (!c) return;
    if (Array.isArray(c.parent)) {
      if (isIndexSegment(c.key) && Number(c.key) < c.parent.length) c.parent[Number(c.key)] = null;
    } else {
      deleteField(c.parent, c.key);
    }
  },
  $inc: (doc, path, value) => {
    const c = resolveForWrite(doc, path);
    setAt(c, addNumbers(getAt(c), value, '$inc'));
  },
  $mul: (doc, path, value) => {
    const c = resolveForWrite(doc, path);
    setAt(c, addNumbers(getAt(c), value, '$mul'));
  },
  $min: (doc, path, value, context) => {
    const c = resolveForWrite(doc, path);
    const cur = getAt(c);
    if (cur === undefined || compareValues(value, cur, context.strCmp) < 0) setAt(c, cloneValue(value));
  },
  $max: (doc, path, value, context) => {
    const c = resolveForWrite(doc, path);
    const cur = getAt(c);
    if (cur === undefined || compareValues(value, cur, context.strCmp) > 0) setAt(c, cloneValue(value));
  },
  $rename: (doc, path, to) => {
    const c = lookupForWrite(doc, path);
    if (!c || Array.isArray(c.parent)) return;
    const cur = getField(c.parent, c.key);
    if (cur === undefined) return;
    deleteField(c.parent, c.key);
    setPath(doc, to as string, cur);
  },
  $push: push,
  $addToSet: (doc, path, value, context) => {
    const each = isPlainDoc(value) && hasField(value, '$each') ? getField(value, '$each') : undefined;
    const items = isPlainDoc(value) && hasField(value, '$each') ? (Array.isArray(each) ? each : []) : [value];
    const existing = arrayAt(doc, path);
    const arr = existing ? existing.slice() : [];
    // Under a collation, values it calls equal are the same member of the set.
    const classOf = context.collation?.classes();
    const keyOf = classOf ? (x: unknown) => collatedKey(x, classOf) : canonicalKey;
    const seen = new Set(arr.map(keyOf));
    for (const it of items) {
      const key = keyOf(it);
      if (!seen.has(key)) {
        seen.add(key);
        arr.push(cloneValue(it));
      }
    }
    setPath(doc, path, arr);
  },
  $pull: (doc, path, value, context) => {
    const existing = arrayAt(doc, path);
    if (!existing) return;
    const m = pullMatcher(value, context);
    setPath(
      doc,
      path,
      existing.filter((e) => !m(e)),
    );
  },
  $pullAll: (doc, path, value, context) => {
    if (!Array.isArray(value)) throw badValue('$pullAll requires an array argument');
    const existing = arrayAt(doc, path);
    if (!existing) return;
    setPath(
      doc,
      path,
      existing.filter((e) => !value.some((x) => valuesEqual(e, x, context.strCmp))),
    );
  },
  $pop: (doc, path, value) => {
    const existing = arrayAt(doc, path);
    if (!existing || existing.length === 0) return;
    setPath(doc, path, toNumber(value) < 0 ? existing.slice(1) : existing.slice(0, -1));
  },
  $currentDate: (doc, path, value, context) => {
    const wantTs = isPlainDoc(value) && getField(value, '$type') === 'timestamp';
    setPath(doc, path, wantTs ? Timestamp.fromBits(0, Math.floor(context.now.getTime() / 1000)) : new Date(context.now.getTime()));
  },
};

// ---- preparation ----

function renderUpdate(update: Doc): string {
  return describeValue(update)
    .replace(/"([^"]+)":/g, '$1: ')
    .replace(/[{]/g, '{ ')
    .replace(/[}]/g, ' }');
}

/** Parses an operator update into ordered, checked entries (mongod's update tree, flattened). */
function parseOperators(update: Doc, filters: ReturnType<typeof parseArrayFilters>): Entry[] {
  const entries: Entry[] = [];
  const used = new Set<string>();
  for (const operator of Object.keys(update)) {
    if (!operator.startsWith('$'))
      throw badValue(`Unknown modifier: ${operator}. Expected a valid update modifier or pipeline-style update specified as an array`);
    if (!Object.hasOwn(OPERATORS, operator))
      throw new MongoCommandError(9, `Unknown modifier: ${operator}. Expected a valid update modifier or pipeline-style update specified as an array`);
    const args: unknown = update[operator];
    if (!isPlainDoc(args))
      throw new MongoCommandError(
        9,
        `Modifiers operate on fields but we found type ${typeof args} instead. For example: {$mod: {<field>: ...}} not {${operator}: ${describeValue(args)}}`,
      );
    for (const path of Object.keys(args)) {
      const parts = splitPath(path);
      const arg: unknown = args[path];
      checkUpdatePath(path, parts, filters, used);
      let key = parts;
      if (operator === '$rename') {
        if (typeof arg !== 'string') throw badValue(`The 'to' field for $rename must be a string: ${path}: ${describeValue(arg)}`);
        if (arg === path) throw badValue(`The source and target field for $rename must differ: ${path}: ${arg}`);
        if (isDynamicPath(parts)) throw badValue(`The source field for $rename may not be dynamic: ${path}`);
        key = splitPath(arg);
        if (isDynamicPath(key)) throw badValue(`The destination field for $rename may not be dynamic: ${arg}`);
        checkUpdatePath(arg, key, filters, used);
      }
      const entry: Entry = { op: operator, path, parts, arg, key };
      for (const other of entries) {
        const own = operator === '$rename' ? [parts, key] : [key];
        const theirs = other.op === '$rename' ? [other.parts, other.key] : [other.key];
        for (const a of own) {
          for (const b of theirs) {
            const at = pathConflict(b, a);
            if (at !== undefined) throw new MongoCommandError(40, `Updating the path '${a.join('.')}' would create a conflict at '${at}'`);
          }
        }
      }
      entries.push(entry);
    }
  }
  for (const id of filters.keys()) {
    if (!used.has(id)) throw new MongoCommandError(9, `The array filter for identifier '${id}' was not used in the update ${renderUpdate(update)}`);
  }
  return entries.sort((a, b) => comparePaths(a.key, b.key));
}

function checkImmutableId(before: Doc, after: Doc): void {
  if (before._id !== undefined && !valuesEqual(before._id, after._id)) {
    throw new MongoCommandError(66, `Performing an update on the path '_id' would modify the immutable field '_id'`);
  }
}

function prepareOperators(update: Doc, opts: UpdateOptions): PreparedUpdate {
  const filters = parseArrayFilters(opts.arrayFilters, opts);
  const entries = parseOperators(update, filters);
  const positional = entries.some((e) => e.parts.includes('$'));
  const dynamic = entries.some((e) => isDynamicPath(e.parts));
  return {
    kind: 'operators',
    positional,
    apply(doc, ctx) {
      const context: ModifierContext = { strCmp: opts.collation?.compare, collation: opts.collation, now: ctx.now ?? new Date(), isInsert: ctx.isInsert };
      const expansion = { position: ctx.position, filters };
      // Placeholders are resolved against the document before any change, as in mongod.
      const concrete = entries.map((e) => (dynamic && isDynamicPath(e.parts) ? expandPath(doc, e.parts, expansion) : [e.parts]));
      if (dynamic) checkAppliedConflicts(concrete);
      const out = cloneValue(doc);
      entries.forEach((entry, index) => {
        const writes = entry.op !== '$unset' && (entry.op !== '$setOnInsert' || ctx.isInsert);
        for (const parts of concrete[index] as string[][]) {
          // mongod refuses to write a top-level $-prefixed field in an existing document.
          if (writes && !ctx.isInsert && (parts[0] as string).startsWith('$')) {
            throw new MongoCommandError(
              52,
              `The dollar ($) prefixed field '${parts[0] as string}' in '${parts.join('.')}' is not allowed in the context of an update's replacement document. Consider using an aggregation pipeline with $replaceWith.`,
            );
          }
          (OPERATORS[entry.op] as Operator)(out, parts.join('.'), entry.arg, context);
        }
      });
      checkImmutableId(doc, out);
      if (ctx.applied) {
        entries.forEach((e, i) => ctx.applied?.push({ op: e.op, arg: e.arg, paths: concrete[i] as string[][], to: e.op === '$rename' ? e.key : undefined }));
      }
      return out;
    },
  };
}

/** Two placeholders that picked the same element (or one inside the other) collide. */
function checkAppliedConflicts(concrete: string[][][]): void {
  const seen: string[][] = [];
  for (const paths of concrete) {
    for (const p of paths) {
      for (const q of seen) {
        const n = Math.min(p.length, q.length);
        if (p.slice(0, n).every((s, i) => s === q[i])) throw new MongoCommandError(40, `Update created a conflict at '${p.slice(0, n).join('.')}'`);
      }
    }
    seen.push(...paths);
  }
}

function prepareReplacement(update: Doc, opts: UpdateOptions): PreparedUpdate {
  if (opts.multi) throw new MongoCommandError(9, 'multi update is not supported for replacement-style update');
  const k = Object.keys(update).find((name) => name.startsWith('$'));
  if (k !== undefined) {
    throw new MongoCommandError(
      52,
      `The dollar ($) prefixed field '${k}' in '${k}' is not allowed in the context of an update's replacement document. Consider using an aggregation pipeline with $replaceWith.`,
    );
  }
  parseArrayFilters(opts.arrayFilters, opts);
  return {
    kind: 'replacement',
    positional: false,
    apply(doc) {
      const out: Doc = {};
      if (doc._id !== undefined) out._id = doc._id;
      for (const key of Object.keys(update)) {
        if (key === '_id') {
          if (doc._id !== undefined && !valuesEqual(doc._id, update._id)) {
            throw new MongoCommandError(
              66,
              `After applying the update, the (immutable) field '_id' was found to have been altered to _id: ${describeValue(update._id)}`,
            );
          }
          out._id = cloneValue(update._id);
          continue;
        }
        setField(out, key, cloneValue(update[key]));
      }
      return out;
    },
  };
}

function preparePipeline(pipeline: unknown[], opts: UpdateOptions): PreparedUpdate {
  if (opts.arrayFilters !== undefined && opts.arrayFilters !== null)
    throw new MongoCommandError(9, 'arrayFilters may not be specified for pipeline-style updates');
  const stages = validateUpdatePipeline(pipeline);
  return {
    kind: 'pipeline',
    positional: false,
    apply(doc) {
      const out = applyUpdatePipeline(doc, stages, opts);
      checkImmutableId(doc, out);
      return out;
    },
  };
}

/** Parses and checks an update (`u` of an update statement, or findAndModify's `update`). */
export function prepareUpdate(update: unknown, opts: UpdateOptions = {}): PreparedUpdate {
  if (Array.isArray(update)) return preparePipeline(update, opts);
  if (opts.constants !== undefined && opts.constants !== null) throw new MongoCommandError(51198, 'Constant values may only be specified for pipeline updates');
  if (!isPlainDoc(update)) throw badValue('update must be an object');
  return isOperatorUpdate(update) ? prepareOperators(update, opts) : prepareReplacement(update, opts);
}

/** Builds the starting document of an upsert from the filter's equality fields. */
export function upsertSeed(equalities: Map<string, unknown>): Doc {
  const doc: Doc = {};
  if (equalities.has('_id')) doc._id = cloneValue(equalities.get('_id'));
  for (const [path, v] of equalities) {
    if (path === '_id') continue;
    if (isPlainDoc(v) && Object.keys(v).some((k) => k.startsWith('$'))) continue;
    setPath(doc, path, cloneValue(v));
  }
  return doc;
}
