/**
 * Query matcher: compiles a MongoDB filter into a predicate over stored documents.
 * Written in-house (instead of mingo) so that comparisons follow MongoDB's BSON ordering for
 * the engine's value representation (Long, ObjectId, Date, Decimal128, ...). `$expr` is
 * delegated to mingo.
 *
 * A predicate can report which array element made it match (MongoDB's "elemMatchKey"): the
 * positional projection `arr.$` and positional updates `arr.$.x` use it.
 */
import { isDbRefDocument } from '../bson/dbref';
import { MongoCommandError, badValue } from '../errors';
import type { Collation } from '../bson/collation';
import { compileExpr } from '../aggregate/mingo';
import { compileRegex } from './regex';
import type { Regex } from './regex';
import { bsonType, isNumeric, toNumber } from '../bson/values';
import { compareValues, typeRank, valuesEqual } from '../bson/compare';
import type { StringComparator } from '../bson/compare';
import { getField, hasField, isIndexSegment, isPlainDoc, splitPath } from '../bson/paths';
import type { Doc } from '../bson/paths';

/** Filled in by a predicate that matched through an array: the position of the matching element. */
export interface MatchDetails {
  elemMatchKey?: number;
}

export type Predicate = (doc: Doc, details?: MatchDetails) => boolean;
type ValueTest = (v: unknown) => boolean;

export interface MatchOptions {
  /** String comparisons (not `$regex`) follow this collation. */
  collation?: Collation | undefined;
  /** `let` variables, visible as `$$name` inside `$expr`. */
  variables?: Doc | undefined;
}

/** What the compile functions carry: the options, and the collation's comparator. */
interface FilterContext {
  opts: MatchOptions;
  strCmp: StringComparator | undefined;
}

const matchAll: Predicate = () => true;

const GEO_OPERATORS = new Set(['$geoWithin', '$geoIntersects', '$within', '$box', '$center', '$centerSphere', '$polygon', '$geometry']);

export function compileFilter(filter: unknown, opts: MatchOptions = {}): Predicate {
  return compileWith(filter, { opts, strCmp: opts.collation?.compare });
}

function compileWith(filter: unknown, context: FilterContext): Predicate {
  if (filter === undefined || filter === null) return matchAll;
  if (!isPlainDoc(filter)) throw badValue('filter must be an object');
  const preds: Predicate[] = [];
  for (const key of Object.keys(filter)) {
    const cond: unknown = filter[key];
    if (key.startsWith('$')) {
      preds.push(compileTopLevel(key, cond, context));
    } else {
      preds.push(compileField(key, cond, context));
    }
  }
  if (preds.length === 0) return matchAll;
  if (preds.length === 1) return preds[0] as Predicate;
  return allOf(preds);
}

/** Like MongoDB's $and: every child may record the matching array position; the last one wins. */
function allOf(preds: Predicate[]): Predicate {
  return (doc, details) => {
    for (const predicate of preds) {
      if (!predicate(doc, details)) {
        if (details) delete details.elemMatchKey;
        return false;
      }
    }
    return true;
  };
}

function compileTopLevel(operator: string, cond: unknown, context: FilterContext): Predicate {
  switch (operator) {
    case '$and':
    case '$or':
    case '$nor': {
      if (!Array.isArray(cond) || cond.length === 0) throw badValue(`${operator} argument must be a non-empty array`);
      const subs = cond.map((c) => compileWith(c, context));
      if (operator === '$and' || (operator === '$or' && subs.length === 1)) return allOf(subs);
      // mongod records no array position under $or / $nor.
      if (operator === '$or') return (d) => subs.some((p) => p(d));
      return (d) => !subs.some((p) => p(d));
    }
    case '$comment':
      return matchAll;
    case '$ref':
    case '$id':
    case '$db':
      // A DBRef's fields, as a field list of `$elemMatch` names them: equality on that field, only
      // `$id` under the collation (as mongod compares them).
      return equalityPredicate([operator], cond, operator === '$id' ? context : { ...context, strCmp: undefined });
    case '$expr': {
      // mingo's comparisons are binary: under a collation they would silently ignore it.
      if (context.opts.collation) throw new MongoCommandError(115, '$expr with a non-simple collation is not supported by embedded-mongo');
      return compileExpr(cond, context.opts.variables);
    }
    case '$where':
      // What mongod answers when server-side JavaScript is disabled.
      throw badValue('no globalScriptEngine in $where parsing');
    case '$text':
      // What mongod answers for a collection without a text index (embedded-mongo cannot build one).
      throw new MongoCommandError(27, 'text index required for $text query');
    case '$jsonSchema':
      throw new MongoCommandError(115, '$jsonSchema is not supported by embedded-mongo');
    default:
      throw badValue(`unknown top level operator: ${operator}`);
  }
}

/** A document of query operators (`{$gt: 1}`), as opposed to a value to compare with (a DBRef included). */
export function isOperatorObject(value: unknown): value is Doc {
  if (!isPlainDoc(value)) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && (keys[0] as string).startsWith('$') && !isDbRefDocument(value, false);
}

/**
 * Walks `parts` from `value` with implicit array traversal; `test` sees each reached value.
 * `pos` is the position in the first array traversed, reported through `details` on a match.
 */
function walk(value: unknown, parts: readonly string[], index: number, test: ValueTest, expandLeaf: boolean, details?: MatchDetails, pos?: number): boolean {
  if (index === parts.length) {
    if (test(value)) {
      if (details && pos !== undefined) details.elemMatchKey = pos;
      return true;
    }
    if (!expandLeaf || !Array.isArray(value)) return false;
    for (let j = 0; j < value.length; j++) {
      if (test(value[j])) {
        if (details) details.elemMatchKey = pos ?? j;
        return true;
      }
    }
    return false;
  }
  const key = parts[index] as string;
  if (Array.isArray(value)) {
    if (isIndexSegment(key)) {
      const idx = Number(key);
      if (idx < value.length && walk(value[idx], parts, index + 1, test, expandLeaf, details, pos)) return true;
    }
    let sawDoc = false;
    for (let j = 0; j < value.length; j++) {
      const element: unknown = value[j];
      if (isPlainDoc(element)) {
        sawDoc = true;
        if (walk(getField(element, key), parts, index + 1, test, expandLeaf, details, pos ?? j)) return true;
      }
    }
    return !sawDoc && !isIndexSegment(key) ? test(undefined) : false;
  }
  if (isPlainDoc(value)) return walk(getField(value, key), parts, index + 1, test, expandLeaf, details, pos);
  return test(undefined);
}

function compileField(path: string, cond: unknown, context: FilterContext): Predicate {
  const parts = splitPath(path);
  if (isOperatorObject(cond)) {
    const preds: Predicate[] = [];
    const ops = cond;
    for (const operator of Object.keys(ops)) {
      if (operator === '$options') continue;
      preds.push(compileOperator(parts, operator, ops[operator], ops, context));
    }
    if (preds.length === 1) return preds[0] as Predicate;
    return allOf(preds);
  }
  if (cond instanceof RegExp || bsonType(cond) === 'BSONRegExp') {
    const regex = toRegex(cond);
    return (d, details) => walk(d, parts, 0, (v) => regexTest(regex, v), true, details);
  }
  return equalityPredicate(parts, cond, context);
}

function equalityPredicate(parts: readonly string[], filter: unknown, context: FilterContext): Predicate {
  const test = eqTest(filter, context.strCmp);
  return (d, details) => walk(d, parts, 0, test, true, details);
}

function eqTest(filter: unknown, strCmp: StringComparator | undefined): ValueTest {
  if (filter === null || filter === undefined) return (v) => v === null || v === undefined;
  const rank = typeRank(filter);
  if (typeof filter === 'string') {
    if (strCmp) return (v) => (typeof v === 'string' ? strCmp(v, filter) === 0 : typeof v === 'object' && v !== null && valuesEqual(v, filter, strCmp));
    return (v) => v === filter || (typeof v === 'object' && v !== null && valuesEqual(v, filter));
  }
  return (v) => typeRank(v) === rank && compareValues(v, filter, strCmp) === 0;
}

function toRegex(value: unknown, options?: unknown): Regex {
  let source: string;
  let flags = '';
  if (value instanceof RegExp) {
    source = value.source;
    flags = value.flags;
  } else if (bsonType(value) === 'BSONRegExp') {
    const r = value as { pattern: string; options: string };
    source = r.pattern;
    flags = r.options;
  } else if (typeof value === 'string') {
    source = value;
  } else {
    throw badValue('$regex has to be a string');
  }
  if (typeof options === 'string') flags = options;
  return compileRegex(source, flags);
}

function regexTest(regex: Regex, value: unknown): boolean {
  if (typeof value === 'string') return regex.test(value);
  if (bsonType(value) === 'BSONSymbol') return regex.test(String(value));
  return false;
}

/** A value test for a regular expression value (a RegExp or BSON regex), e.g. in `$pull`. */
export function regexValueTest(regex: RegExp): (value: unknown) => boolean {
  const pattern = toRegex(regex);
  return (value) => regexTest(pattern, value);
}

function rangeTest(operator: string, filter: unknown, strCmp: StringComparator | undefined): ValueTest {
  const qr = typeRank(filter);
  const cmp = (value: unknown): number | undefined => {
    if (typeRank(value) !== qr) return undefined;
    if (qr === 3 && (Number.isNaN(toNumber(value)) || Number.isNaN(toNumber(filter)))) {
      return Number.isNaN(toNumber(value)) && Number.isNaN(toNumber(filter)) ? 0 : undefined;
    }
    return compareValues(value, filter, strCmp);
  };
  switch (operator) {
    case '$gt':
      return (v) => (cmp(v) ?? 0) > 0 && cmp(v) !== undefined;
    case '$gte':
      return (value) => {
        const c = cmp(value);
        return c !== undefined && c >= 0;
      };
    case '$lt':
      return (v) => (cmp(v) ?? 0) < 0 && cmp(v) !== undefined;
    default:
      return (value) => {
        const c = cmp(value);
        return c !== undefined && c <= 0;
      };
  }
}

function inTest(list: unknown, strCmp: StringComparator | undefined): ValueTest {
  if (!Array.isArray(list)) throw badValue('$in needs an array');
  const tests = list.map((filter) => {
    if (filter instanceof RegExp || bsonType(filter) === 'BSONRegExp') {
      const regex = toRegex(filter);
      return (v: unknown) => regexTest(regex, v);
    }
    if (isOperatorObject(filter)) throw badValue('cannot nest $ under $in');
    return eqTest(filter, strCmp);
  });
  return (v) => tests.some((t) => t(v));
}

const TYPE_ALIASES: Record<string, number> = {
  double: 1,
  string: 2,
  object: 3,
  array: 4,
  binData: 5,
  undefined: 6,
  objectId: 7,
  bool: 8,
  date: 9,
  null: 10,
  regex: 11,
  javascript: 13,
  int: 16,
  timestamp: 17,
  long: 18,
  decimal: 19,
  minKey: -1,
  maxKey: 127,
};

function bsonTypeNumber(value: unknown): number {
  if (value === undefined) return 6;
  if (value === null) return 10;
  if (typeof value === 'number') return Number.isInteger(value) && value >= -2147483648 && value <= 2147483647 ? 16 : 1;
  if (typeof value === 'string') return 2;
  if (typeof value === 'boolean') return 8;
  if (value instanceof Date) return 9;
  if (value instanceof RegExp) return 11;
  if (Array.isArray(value)) return 4;
  switch (bsonType(value)) {
    case 'ObjectId':
      return 7;
    case 'Binary':
      return 5;
    case 'Long':
      return 18;
    case 'Decimal128':
      return 19;
    case 'Int32':
      return 16;
    case 'Double':
      return 1;
    case 'Timestamp':
      return 17;
    case 'BSONRegExp':
      return 11;
    case 'Code':
      return 13;
    case 'MinKey':
      return -1;
    case 'MaxKey':
      return 127;
    default:
      return 3;
  }
}

function typeTest(spec: unknown): ValueTest {
  const list = Array.isArray(spec) ? spec : [spec];
  const wanted = new Set<number>();
  let wantNumber = false;
  for (const t of list) {
    if (t === 'number') wantNumber = true;
    else if (typeof t === 'string') {
      const n = Object.hasOwn(TYPE_ALIASES, t) ? TYPE_ALIASES[t] : undefined;
      if (n === undefined) throw badValue(`Unknown type name alias: ${t}`);
      wanted.add(n);
    } else if (isNumeric(t)) wanted.add(toNumber(t));
    else throw badValue('type must be represented as a number or a string');
  }
  return (v) => v !== undefined && ((wantNumber && isNumeric(v)) || wanted.has(bsonTypeNumber(v)));
}

function compileOperator(parts: readonly string[], operator: string, filter: unknown, all: Doc, context: FilterContext): Predicate {
  const at =
    (test: ValueTest, expandLeaf = true): Predicate =>
    (d, details) =>
      walk(d, parts, 0, test, expandLeaf, details);
  const not =
    (p: Predicate): Predicate =>
    (d) =>
      !p(d);
  switch (operator) {
    case '$eq':
      return equalityPredicate(parts, filter, context);
    case '$ne':
      return not(equalityPredicate(parts, filter, context));
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      if (filter === null && (operator === '$gte' || operator === '$lte')) return equalityPredicate(parts, null, context);
      return at(rangeTest(operator, filter, context.strCmp));
    case '$in':
      return at(inTest(filter, context.strCmp));
    case '$nin':
      return not(at(inTest(filter, context.strCmp)));
    case '$exists': {
      const predicate = at((v) => v !== undefined, false);
      return filter ? predicate : not(predicate);
    }
    case '$type':
      return at(typeTest(filter));
    case '$regex': {
      const regex = toRegex(filter, getField(all, '$options'));
      return at((v) => regexTest(regex, v));
    }
    case '$size': {
      if (!isNumeric(filter)) throw badValue('$size needs a number');
      const n = toNumber(filter);
      return at((v) => Array.isArray(v) && v.length === n, false);
    }
    case '$all': {
      if (!Array.isArray(filter)) throw badValue('$all needs an array');
      if (filter.length === 0) return () => false;
      const subs = filter.map((item) => {
        const elemMatch = isPlainDoc(item) ? getField(item, '$elemMatch') : undefined;
        if (isPlainDoc(item) && isPlainDoc(elemMatch) && Object.keys(item).length === 1) {
          return compileOperator(parts, '$elemMatch', elemMatch, item, context);
        }
        if (item instanceof RegExp) {
          const regex = toRegex(item);
          return at((v) => regexTest(regex, v));
        }
        return equalityPredicate(parts, item, context);
      });
      return allOf(subs);
    }
    case '$elemMatch': {
      if (!isPlainDoc(filter)) throw badValue('$elemMatch needs an Object');
      const keys = Object.keys(filter);
      // `{$elemMatch: {$id: x}}` names a DBRef field, as mongod reads it: not an operator.
      const operatorForm =
        keys.length > 0 && !isDbRefDocument(filter, true) && keys.every((k) => k.startsWith('$') && !['$and', '$or', '$nor', '$expr'].includes(k));
      let elTest: ValueTest;
      if (operatorForm) {
        const inner = compileField('__el', filter, context);
        elTest = (e) => inner({ __el: e });
      } else {
        const inner = compileWith(filter, context);
        elTest = (e) => isPlainDoc(e) && inner(e);
      }
      // The matching element's position is what positional projections and updates use.
      return (d, details) =>
        walk(
          d,
          parts,
          0,
          (value) => {
            if (!Array.isArray(value)) return false;
            const idx = value.findIndex(elTest);
            if (idx < 0) return false;
            // An array traversed further up the path overrides this position (walk does that).
            if (details) details.elemMatchKey = idx;
            return true;
          },
          false,
          details,
        );
    }
    case '$mod': {
      if (!Array.isArray(filter) || filter.length !== 2) throw badValue('malformed mod, needs to be an array of [divisor, remainder]');
      const div = toNumber(filter[0]);
      const rem = toNumber(filter[1]);
      if (!div) throw badValue('divisor cannot be 0');
      return at((v) => isNumeric(v) && Math.trunc(toNumber(v)) % div === rem);
    }
    case '$not': {
      let predicate: Predicate;
      if (filter instanceof RegExp || bsonType(filter) === 'BSONRegExp') {
        const regex = toRegex(filter);
        predicate = at((v) => regexTest(regex, v));
      } else if (isOperatorObject(filter)) {
        predicate = compileField(parts.join('.'), filter, context);
      } else {
        throw badValue('$not needs a regex or a document');
      }
      return not(predicate);
    }
    case '$comment':
      return matchAll;
    default:
      if (operator === '$near' || operator === '$nearSphere') {
        // What mongod answers without a geospatial index (embedded-mongo cannot build one).
        throw new MongoCommandError(291, 'error processing query: planner returned error :: caused by :: unable to find index for $geoNear query');
      }
      if (GEO_OPERATORS.has(operator)) throw new MongoCommandError(115, `geospatial query operator ${operator} is not supported by embedded-mongo`);
      throw badValue(`unknown operator: ${operator}`);
  }
}

/** Equality fields of a filter (top level and inside `$and`), used by upserts and the planner. */
export function equalityFields(filter: unknown, out: Map<string, unknown> = new Map()): Map<string, unknown> {
  if (!isPlainDoc(filter)) return out;
  for (const key of Object.keys(filter)) {
    const value: unknown = filter[key];
    if (key === '$and' && Array.isArray(value)) {
      for (const sub of value) equalityFields(sub, out);
    } else if (!key.startsWith('$')) {
      if (isOperatorObject(value)) {
        if (hasField(value, '$eq') && Object.keys(value).length === 1) out.set(key, getField(value, '$eq'));
      } else if (!(value instanceof RegExp) && bsonType(value) !== 'BSONRegExp') {
        out.set(key, value);
      }
    }
  }
  return out;
}
