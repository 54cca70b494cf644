/**
 * Query matcher: compiles a MongoDB filter into a predicate over stored documents.
 * Written in-house (instead of mingo) so that comparisons follow MongoDB's BSON ordering for
 * the engine's value representation (Long, ObjectId, Date, Decimal128, ...). `$expr` is
 * delegated to mingo.
 *
 * A predicate can report which array element made it match (MongoDB's "elemMatchKey"): the
 * positional projection `arr.$` and positional updates `arr.$.x` use it.
 */
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
interface Cx {
  opts: MatchOptions;
  strCmp: StringComparator | undefined;
}

const matchAll: Predicate = () => true;

const GEO_OPERATORS = new Set(['$geoWithin', '$geoIntersects', '$within', '$box', '$center', '$centerSphere', '$polygon', '$geometry']);

export function compileFilter(filter: unknown, opts: MatchOptions = {}): Predicate {
  return compileWith(filter, { opts, strCmp: opts.collation?.compare });
}

function compileWith(filter: unknown, cx: Cx): Predicate {
  if (filter === undefined || filter === null) return matchAll;
  if (!isPlainDoc(filter)) throw badValue('filter must be an object');
  const preds: Predicate[] = [];
  for (const key of Object.keys(filter)) {
    const cond: unknown = filter[key];
    if (key.startsWith('$')) {
      preds.push(compileTopLevel(key, cond, cx));
    } else {
      preds.push(compileField(key, cond, cx));
    }
  }
  if (preds.length === 0) return matchAll;
  if (preds.length === 1) return preds[0] as Predicate;
  return allOf(preds);
}

/** Like MongoDB's $and: every child may record the matching array position; the last one wins. */
function allOf(preds: Predicate[]): Predicate {
  return (doc, details) => {
    for (const p of preds) {
      if (!p(doc, details)) {
        if (details) delete details.elemMatchKey;
        return false;
      }
    }
    return true;
  };
}

function compileTopLevel(op: string, cond: unknown, cx: Cx): Predicate {
  switch (op) {
    case '$and':
    case '$or':
    case '$nor': {
      if (!Array.isArray(cond) || cond.length === 0) throw badValue(`${op} argument must be a non-empty array`);
      const subs = cond.map((c) => compileWith(c, cx));
      if (op === '$and' || (op === '$or' && subs.length === 1)) return allOf(subs);
      // mongod records no array position under $or / $nor.
      if (op === '$or') return (d) => subs.some((p) => p(d));
      return (d) => !subs.some((p) => p(d));
    }
    case '$comment':
      return matchAll;
    case '$expr': {
      // mingo's comparisons are binary: under a collation they would silently ignore it.
      if (cx.opts.collation) throw new MongoCommandError(115, '$expr with a non-simple collation is not supported by embedded-mongo');
      return compileExpr(cond, cx.opts.variables);
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
      throw badValue(`unknown top level operator: ${op}`);
  }
}

export function isOperatorObject(v: unknown): v is Doc {
  if (!isPlainDoc(v)) return false;
  const keys = Object.keys(v);
  return keys.length > 0 && (keys[0] as string).startsWith('$');
}

/**
 * Walks `parts` from `value` with implicit array traversal; `test` sees each reached value.
 * `pos` is the position in the first array traversed, reported through `details` on a match.
 */
function walk(value: unknown, parts: readonly string[], i: number, test: ValueTest, expandLeaf: boolean, details?: MatchDetails, pos?: number): boolean {
  if (i === parts.length) {
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
  const key = parts[i] as string;
  if (Array.isArray(value)) {
    if (isIndexSegment(key)) {
      const idx = Number(key);
      if (idx < value.length && walk(value[idx], parts, i + 1, test, expandLeaf, details, pos)) return true;
    }
    let sawDoc = false;
    for (let j = 0; j < value.length; j++) {
      const el: unknown = value[j];
      if (isPlainDoc(el)) {
        sawDoc = true;
        if (walk(getField(el, key), parts, i + 1, test, expandLeaf, details, pos ?? j)) return true;
      }
    }
    return !sawDoc && !isIndexSegment(key) ? test(undefined) : false;
  }
  if (isPlainDoc(value)) return walk(getField(value, key), parts, i + 1, test, expandLeaf, details, pos);
  return test(undefined);
}

function compileField(path: string, cond: unknown, cx: Cx): Predicate {
  const parts = splitPath(path);
  if (isOperatorObject(cond)) {
    const preds: Predicate[] = [];
    const ops = cond;
    for (const op of Object.keys(ops)) {
      if (op === '$options') continue;
      preds.push(compileOperator(parts, op, ops[op], ops, cx));
    }
    if (preds.length === 1) return preds[0] as Predicate;
    return allOf(preds);
  }
  if (cond instanceof RegExp || bsonType(cond) === 'BSONRegExp') {
    const re = toRegex(cond);
    return (d, details) => walk(d, parts, 0, (v) => regexTest(re, v), true, details);
  }
  return equalityPredicate(parts, cond, cx);
}

function equalityPredicate(parts: readonly string[], q: unknown, cx: Cx): Predicate {
  const test = eqTest(q, cx.strCmp);
  return (d, details) => walk(d, parts, 0, test, true, details);
}

function eqTest(q: unknown, strCmp: StringComparator | undefined): ValueTest {
  if (q === null || q === undefined) return (v) => v === null || v === undefined;
  const rank = typeRank(q);
  if (typeof q === 'string') {
    if (strCmp) return (v) => (typeof v === 'string' ? strCmp(v, q) === 0 : typeof v === 'object' && v !== null && valuesEqual(v, q, strCmp));
    return (v) => v === q || (typeof v === 'object' && v !== null && valuesEqual(v, q));
  }
  return (v) => typeRank(v) === rank && compareValues(v, q, strCmp) === 0;
}

function toRegex(v: unknown, options?: unknown): Regex {
  let source: string;
  let flags = '';
  if (v instanceof RegExp) {
    source = v.source;
    flags = v.flags;
  } else if (bsonType(v) === 'BSONRegExp') {
    const r = v as { pattern: string; options: string };
    source = r.pattern;
    flags = r.options;
  } else if (typeof v === 'string') {
    source = v;
  } else {
    throw badValue('$regex has to be a string');
  }
  if (typeof options === 'string') flags = options;
  return compileRegex(source, flags);
}

function regexTest(re: Regex, v: unknown): boolean {
  if (typeof v === 'string') return re.test(v);
  if (bsonType(v) === 'BSONSymbol') return re.test(String(v));
  return false;
}

/** A value test for a regular expression value (a RegExp or BSON regex), e.g. in `$pull`. */
export function regexValueTest(v: RegExp): (value: unknown) => boolean {
  const re = toRegex(v);
  return (value) => regexTest(re, value);
}

function rangeTest(op: string, q: unknown, strCmp: StringComparator | undefined): ValueTest {
  const qr = typeRank(q);
  const cmp = (v: unknown): number | undefined => {
    if (typeRank(v) !== qr) return undefined;
    if (qr === 3 && (Number.isNaN(toNumber(v)) || Number.isNaN(toNumber(q)))) {
      return Number.isNaN(toNumber(v)) && Number.isNaN(toNumber(q)) ? 0 : undefined;
    }
    return compareValues(v, q, strCmp);
  };
  switch (op) {
    case '$gt':
      return (v) => (cmp(v) ?? 0) > 0 && cmp(v) !== undefined;
    case '$gte':
      return (v) => {
        const c = cmp(v);
        return c !== undefined && c >= 0;
      };
    case '$lt':
      return (v) => (cmp(v) ?? 0) < 0 && cmp(v) !== undefined;
    default:
      return (v) => {
        const c = cmp(v);
        return c !== undefined && c <= 0;
      };
  }
}

function inTest(list: unknown, strCmp: StringComparator | undefined): ValueTest {
  if (!Array.isArray(list)) throw badValue('$in needs an array');
  const tests = list.map((q) => {
    if (q instanceof RegExp || bsonType(q) === 'BSONRegExp') {
      const re = toRegex(q);
      return (v: unknown) => regexTest(re, v);
    }
    if (isOperatorObject(q)) throw badValue('cannot nest $ under $in');
    return eqTest(q, strCmp);
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

function bsonTypeNumber(v: unknown): number {
  if (v === undefined) return 6;
  if (v === null) return 10;
  if (typeof v === 'number') return Number.isInteger(v) && v >= -2147483648 && v <= 2147483647 ? 16 : 1;
  if (typeof v === 'string') return 2;
  if (typeof v === 'boolean') return 8;
  if (v instanceof Date) return 9;
  if (v instanceof RegExp) return 11;
  if (Array.isArray(v)) return 4;
  switch (bsonType(v)) {
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

function compileOperator(parts: readonly string[], op: string, q: unknown, all: Doc, cx: Cx): Predicate {
  const at =
    (test: ValueTest, expandLeaf = true): Predicate =>
    (d, details) =>
      walk(d, parts, 0, test, expandLeaf, details);
  const not =
    (p: Predicate): Predicate =>
    (d) =>
      !p(d);
  switch (op) {
    case '$eq':
      return equalityPredicate(parts, q, cx);
    case '$ne':
      return not(equalityPredicate(parts, q, cx));
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      if (q === null && (op === '$gte' || op === '$lte')) return equalityPredicate(parts, null, cx);
      return at(rangeTest(op, q, cx.strCmp));
    case '$in':
      return at(inTest(q, cx.strCmp));
    case '$nin':
      return not(at(inTest(q, cx.strCmp)));
    case '$exists': {
      const p = at((v) => v !== undefined, false);
      return q ? p : not(p);
    }
    case '$type':
      return at(typeTest(q));
    case '$regex': {
      const re = toRegex(q, getField(all, '$options'));
      return at((v) => regexTest(re, v));
    }
    case '$size': {
      if (!isNumeric(q)) throw badValue('$size needs a number');
      const n = toNumber(q);
      return at((v) => Array.isArray(v) && v.length === n, false);
    }
    case '$all': {
      if (!Array.isArray(q)) throw badValue('$all needs an array');
      if (q.length === 0) return () => false;
      const subs = q.map((item) => {
        const elemMatch = isPlainDoc(item) ? getField(item, '$elemMatch') : undefined;
        if (isPlainDoc(item) && isPlainDoc(elemMatch) && Object.keys(item).length === 1) {
          return compileOperator(parts, '$elemMatch', elemMatch, item, cx);
        }
        if (item instanceof RegExp) {
          const re = toRegex(item);
          return at((v) => regexTest(re, v));
        }
        return equalityPredicate(parts, item, cx);
      });
      return allOf(subs);
    }
    case '$elemMatch': {
      if (!isPlainDoc(q)) throw badValue('$elemMatch needs an Object');
      const keys = Object.keys(q);
      const operatorForm = keys.length > 0 && keys.every((k) => k.startsWith('$') && !['$and', '$or', '$nor', '$expr'].includes(k));
      let elTest: ValueTest;
      if (operatorForm) {
        const inner = compileField('__el', q, cx);
        elTest = (e) => inner({ __el: e });
      } else {
        const inner = compileWith(q, cx);
        elTest = (e) => isPlainDoc(e) && inner(e);
      }
      // The matching element's position is what positional projections and updates use.
      return (d, details) =>
        walk(
          d,
          parts,
          0,
          (v) => {
            if (!Array.isArray(v)) return false;
            const idx = v.findIndex(elTest);
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
      if (!Array.isArray(q) || q.length !== 2) throw badValue('malformed mod, needs to be an array of [divisor, remainder]');
      const div = toNumber(q[0]);
      const rem = toNumber(q[1]);
      if (!div) throw badValue('divisor cannot be 0');
      return at((v) => isNumeric(v) && Math.trunc(toNumber(v)) % div === rem);
    }
    case '$not': {
      let p: Predicate;
      if (q instanceof RegExp || bsonType(q) === 'BSONRegExp') {
        const re = toRegex(q);
        p = at((v) => regexTest(re, v));
      } else if (isOperatorObject(q)) {
        p = compileField(parts.join('.'), q, cx);
      } else {
        throw badValue('$not needs a regex or a document');
      }
      return not(p);
    }
    case '$comment':
      return matchAll;
    default:
      if (op === '$near' || op === '$nearSphere') {
        // What mongod answers without a geospatial index (embedded-mongo cannot build one).
        throw new MongoCommandError(291, 'error processing query: planner returned error :: caused by :: unable to find index for $geoNear query');
      }
      if (GEO_OPERATORS.has(op)) throw new MongoCommandError(115, `geospatial query operator ${op} is not supported by embedded-mongo`);
      throw badValue(`unknown operator: ${op}`);
  }
}

/** Equality fields of a filter (top level and inside `$and`), used by upserts and the planner. */
export function equalityFields(filter: unknown, out: Map<string, unknown> = new Map()): Map<string, unknown> {
  if (!isPlainDoc(filter)) return out;
  for (const key of Object.keys(filter)) {
    const v: unknown = filter[key];
    if (key === '$and' && Array.isArray(v)) {
      for (const sub of v) equalityFields(sub, out);
    } else if (!key.startsWith('$')) {
      if (isOperatorObject(v)) {
        if (hasField(v, '$eq') && Object.keys(v).length === 1) out.set(key, getField(v, '$eq'));
      } else if (!(v instanceof RegExp) && bsonType(v) !== 'BSONRegExp') {
        out.set(key, v);
      }
    }
  }
  return out;
}
