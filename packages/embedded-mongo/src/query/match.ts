/**
 * Query matcher: compiles a MongoDB filter into a predicate over stored documents.
 * Written in-house (instead of mingo) so that comparisons follow MongoDB's BSON ordering for
 * the engine's value representation (Long, ObjectId, Date, Decimal128, ...). `$expr` is
 * delegated to mingo.
 */
import { badValue } from '../errors';
import { compileExpr } from './mingo';
import { compileRegex } from './regex';
import type { Regex } from './regex';
import {
  bsonType,
  compareValues,
  isNumeric,
  toNumber,
  typeRank,
  valuesEqual,
} from './values';
import { getField, hasField, isIndexSegment, isPlainDoc, splitPath } from './paths';
import type { Doc } from './paths';

export type Predicate = (doc: Doc) => boolean;
type ValueTest = (v: unknown) => boolean;

const matchAll: Predicate = () => true;

export function compileFilter(filter: unknown): Predicate {
  if (filter === undefined || filter === null) return matchAll;
  if (!isPlainDoc(filter)) throw badValue('filter must be an object');
  const preds: Predicate[] = [];
  for (const key of Object.keys(filter)) {
    const cond: unknown = filter[key];
    if (key.startsWith('$')) {
      preds.push(compileTopLevel(key, cond));
    } else {
      preds.push(compileField(key, cond));
    }
  }
  if (preds.length === 0) return matchAll;
  if (preds.length === 1) return preds[0] as Predicate;
  return (doc) => preds.every((p) => p(doc));
}

function compileTopLevel(op: string, cond: unknown): Predicate {
  switch (op) {
    case '$and':
    case '$or':
    case '$nor': {
      if (!Array.isArray(cond) || cond.length === 0) throw badValue(`${op} argument must be a non-empty array`);
      const subs = cond.map((c) => compileFilter(c));
      if (op === '$and') return (d) => subs.every((p) => p(d));
      if (op === '$or') return (d) => subs.some((p) => p(d));
      return (d) => !subs.some((p) => p(d));
    }
    case '$comment':
      return matchAll;
    case '$expr': {
      return compileExpr(cond);
    }
    default:
      throw badValue(`unknown top level operator: ${op}`);
  }
}

export function isOperatorObject(v: unknown): v is Doc {
  if (!isPlainDoc(v)) return false;
  const keys = Object.keys(v);
  return keys.length > 0 && (keys[0] as string).startsWith('$');
}

/** Walks `parts` from `value` with implicit array traversal; `test` sees each reached value. */
function walk(value: unknown, parts: readonly string[], i: number, test: ValueTest, expandLeaf: boolean): boolean {
  if (i === parts.length) {
    if (test(value)) return true;
    return expandLeaf && Array.isArray(value) && value.some((e) => test(e));
  }
  const key = parts[i] as string;
  if (Array.isArray(value)) {
    if (isIndexSegment(key)) {
      const idx = Number(key);
      if (idx < value.length && walk(value[idx], parts, i + 1, test, expandLeaf)) return true;
    }
    let sawDoc = false;
    for (const el of value) {
      if (isPlainDoc(el)) {
        sawDoc = true;
        if (walk(getField(el, key), parts, i + 1, test, expandLeaf)) return true;
      }
    }
    return !sawDoc && !isIndexSegment(key) ? test(undefined) : false;
  }
  if (isPlainDoc(value)) return walk(getField(value, key), parts, i + 1, test, expandLeaf);
  return test(undefined);
}

function compileField(path: string, cond: unknown): Predicate {
  const parts = splitPath(path);
  if (isOperatorObject(cond)) {
    const preds: Predicate[] = [];
    const ops = cond;
    for (const op of Object.keys(ops)) {
      if (op === '$options') continue;
      preds.push(compileOperator(parts, op, ops[op], ops));
    }
    if (preds.length === 1) return preds[0] as Predicate;
    return (d) => preds.every((p) => p(d));
  }
  if (cond instanceof RegExp || bsonType(cond) === 'BSONRegExp') {
    const re = toRegex(cond);
    return (d) => walk(d, parts, 0, (v) => regexTest(re, v), true);
  }
  return equalityPredicate(parts, cond);
}

function equalityPredicate(parts: readonly string[], q: unknown): Predicate {
  const test = eqTest(q);
  return (d) => walk(d, parts, 0, test, true);
}

function eqTest(q: unknown): ValueTest {
  if (q === null || q === undefined) return (v) => v === null || v === undefined;
  const rank = typeRank(q);
  if (typeof q === 'string') return (v) => v === q || (typeof v === 'object' && v !== null && valuesEqual(v, q));
  return (v) => typeRank(v) === rank && compareValues(v, q) === 0;
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

function rangeTest(op: string, q: unknown): ValueTest {
  const qr = typeRank(q);
  const cmp = (v: unknown): number | undefined => {
    if (typeRank(v) !== qr) return undefined;
    if (qr === 3 && (Number.isNaN(toNumber(v)) || Number.isNaN(toNumber(q)))) {
      return Number.isNaN(toNumber(v)) && Number.isNaN(toNumber(q)) ? 0 : undefined;
    }
    return compareValues(v, q);
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

function inTest(list: unknown): ValueTest {
  if (!Array.isArray(list)) throw badValue('$in needs an array');
  const tests = list.map((q) => {
    if (q instanceof RegExp || bsonType(q) === 'BSONRegExp') {
      const re = toRegex(q);
      return (v: unknown) => regexTest(re, v);
    }
    if (isOperatorObject(q)) throw badValue('cannot nest $ under $in');
    return eqTest(q);
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

function compileOperator(parts: readonly string[], op: string, q: unknown, all: Doc): Predicate {
  const at = (test: ValueTest, expandLeaf = true): Predicate => (d) => walk(d, parts, 0, test, expandLeaf);
  switch (op) {
    case '$eq':
      return equalityPredicate(parts, q);
    case '$ne': {
      const p = equalityPredicate(parts, q);
      return (d) => !p(d);
    }
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      if (q === null && (op === '$gte' || op === '$lte')) return equalityPredicate(parts, null);
      return at(rangeTest(op, q));
    case '$in':
      return at(inTest(q));
    case '$nin': {
      const p = at(inTest(q));
      return (d) => !p(d);
    }
    case '$exists': {
      const p = at((v) => v !== undefined, false);
      return q ? p : (d) => !p(d);
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
          return compileOperator(parts, '$elemMatch', elemMatch, item);
        }
        if (item instanceof RegExp) {
          const re = toRegex(item);
          return at((v) => regexTest(re, v));
        }
        return equalityPredicate(parts, item);
      });
      return (d) => subs.every((p) => p(d));
    }
    case '$elemMatch': {
      if (!isPlainDoc(q)) throw badValue('$elemMatch needs an Object');
      const keys = Object.keys(q);
      const operatorForm = keys.length > 0 && keys.every((k) => k.startsWith('$') && !['$and', '$or', '$nor', '$expr'].includes(k));
      let elTest: ValueTest;
      if (operatorForm) {
        const inner = compileField('__el', q);
        elTest = (e) => inner({ __el: e });
      } else {
        const inner = compileFilter(q);
        elTest = (e) => isPlainDoc(e) && inner(e);
      }
      return at((v) => Array.isArray(v) && v.some(elTest), false);
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
        p = compileField(parts.join('.'), q);
      } else {
        throw badValue('$not needs a regex or a document');
      }
      return (d) => !p(d);
    }
    case '$comment':
      return matchAll;
    default:
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
