/**
 * Update operators ($set, $unset, $inc, $mul, $min, $max, $rename, $push, $pull, $pullAll,
 * $addToSet, $pop, $currentDate, $setOnInsert) and replacement updates, applied to a clone.
 */
import { Long, Timestamp, Decimal128 } from 'bson';
import { MongoCommandError, badValue } from '../errors';
import { compileFilter, regexValueTest } from './match';
import {
  bsonType,
  canonicalKey,
  cloneValue,
  compareValues,
  isNumeric,
  toNumber,
  valuesEqual,
} from './values';
import { deleteField, getElement, getField, hasField, isIndexSegment, isPlainDoc, setField, splitPath } from './paths';
import type { Doc } from './paths';

const SUPPORTED = new Set([
  '$set',
  '$unset',
  '$inc',
  '$mul',
  '$min',
  '$max',
  '$rename',
  '$push',
  '$pull',
  '$pullAll',
  '$addToSet',
  '$pop',
  '$currentDate',
  '$setOnInsert',
]);

export function isOperatorUpdate(u: Doc): boolean {
  const keys = Object.keys(u);
  return keys.length > 0 && (keys[0] as string).startsWith('$');
}

export function validateUpdate(u: unknown): Doc {
  if (Array.isArray(u)) throw badValue('pipeline-style updates (an array of stages) are not supported by embedded-mongo');
  if (!isPlainDoc(u)) throw badValue('update must be an object');
  if (isOperatorUpdate(u)) {
    for (const op of Object.keys(u)) {
      if (!op.startsWith('$')) throw badValue(`Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update`);
      if (!SUPPORTED.has(op)) throw new MongoCommandError(9, `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`);
      const arg: unknown = u[op];
      if (!isPlainDoc(arg)) throw new MongoCommandError(9, `Modifiers operate on fields but we found type ${typeof arg} instead`);
      for (const path of Object.keys(arg)) {
        if (path.includes('$')) throw badValue(`positional/array-filter update paths are not supported by embedded-mongo: '${path}'`);
      }
    }
  } else {
    const k = Object.keys(u).find((name) => name.startsWith('$'));
    if (k !== undefined) {
      throw new MongoCommandError(
        52,
        `The dollar ($) prefixed field '${k}' in '${k}' is not allowed in the context of an update's replacement document. Consider using an aggregation pipeline with $replaceWith.`,
      );
    }
  }
  return u;
}

function describe(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** Returns the container and final key for a path, creating intermediate documents. */
function resolveForWrite(doc: Doc, path: string): { parent: Doc | unknown[]; key: string } {
  const parts = splitPath(path);
  let cur: Doc | unknown[] = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const p = parts[i] as string;
    let next: unknown;
    if (Array.isArray(cur)) {
      if (!isIndexSegment(p)) throw new MongoCommandError(28, `Cannot create field '${p}' in element {${parts.slice(0, i).join('.')}: ${describe(cur)}}`);
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
      throw new MongoCommandError(28, `Cannot create field '${parts[i + 1] ?? ''}' in element {${p}: ${describe(next)}}`);
    }
    cur = next;
  }
  return { parent: cur, key: parts[parts.length - 1] as string };
}

function lookupForWrite(doc: Doc, path: string): { parent: Doc | unknown[]; key: string } | undefined {
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

function getAt(c: { parent: Doc | unknown[]; key: string }): unknown {
  if (Array.isArray(c.parent)) return getElement(c.parent, c.key);
  return getField(c.parent, c.key);
}

function setAt(c: { parent: Doc | unknown[]; key: string }, v: unknown): void {
  if (Array.isArray(c.parent)) {
    if (!isIndexSegment(c.key)) throw new MongoCommandError(28, `Cannot create field '${c.key}' in an array`);
    const idx = Number(c.key);
    while (c.parent.length < idx) c.parent.push(null);
    c.parent[idx] = v;
  } else {
    setField(c.parent, c.key, v);
  }
}

function setPath(doc: Doc, path: string, v: unknown): void {
  setAt(resolveForWrite(doc, path), v);
}

function getPathValue(doc: Doc, path: string): unknown {
  const c = lookupForWrite(doc, path);
  return c ? getAt(c) : undefined;
}

function addNumbers(a: unknown, b: unknown, op: '$inc' | '$mul'): unknown {
  if (!isNumeric(b)) throw new MongoCommandError(14, `Cannot ${op === '$inc' ? 'increment' : 'multiply'} with non-numeric argument: ${describe(b)}`);
  const base = a === undefined ? (op === '$inc' ? 0 : 0) : a;
  if (!isNumeric(base)) throw new MongoCommandError(14, `Cannot apply ${op} to a value of non-numeric type`);
  if (bsonType(base) === 'Decimal128' || bsonType(b) === 'Decimal128') {
    const r = op === '$inc' ? toNumber(base) + toNumber(b) : toNumber(base) * toNumber(b);
    return Decimal128.fromString(String(r));
  }
  if (bsonType(base) === 'Long' || bsonType(b) === 'Long') {
    const isInt = (x: unknown): boolean => bsonType(x) === 'Long' || (typeof x === 'number' && Number.isInteger(x));
    if (isInt(base) && isInt(b)) {
      const la = bsonType(base) === 'Long' ? (base as Long) : Long.fromNumber(base as number);
      const lb = bsonType(b) === 'Long' ? (b as Long) : Long.fromNumber(b as number);
      return op === '$inc' ? la.add(lb) : la.multiply(lb);
    }
  }
  const r = op === '$inc' ? toNumber(base) + toNumber(b) : toNumber(base) * toNumber(b);
  return a === undefined && op === '$mul' ? 0 * toNumber(b) : r;
}

function pullMatcher(cond: unknown): (v: unknown) => boolean {
  if (isPlainDoc(cond)) {
    const keys = Object.keys(cond);
    if (keys.length > 0 && keys.every((k) => k.startsWith('$'))) {
      const p = compileFilter({ __v: cond });
      return (v) => p({ __v: v });
    }
    const p = compileFilter(cond);
    return (v) => isPlainDoc(v) && p(v);
  }
  if (cond instanceof RegExp) return regexValueTest(cond);
  return (v) => valuesEqual(v, cond);
}

function arrayAt(doc: Doc, path: string, op: string): unknown[] | undefined {
  const cur = getPathValue(doc, path);
  if (cur === undefined) return undefined;
  if (!Array.isArray(cur)) throw badValue(`The field '${path}' must be an array but is of type ${typeof cur} in document`);
  return cur;
  void op;
}

function applyPush(doc: Doc, path: string, spec: unknown): void {
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
  const existing = arrayAt(doc, path, '$push');
  const arr = existing ? existing.slice() : [];
  const clones = items.map((i) => cloneValue(i));
  if (position === undefined) arr.push(...clones);
  else {
    const at = position < 0 ? Math.max(0, arr.length + position) : Math.min(position, arr.length);
    arr.splice(at, 0, ...clones);
  }
  if (sort !== undefined) {
    if (isPlainDoc(sort)) {
      const fields = Object.entries(sort).map(([k, d]) => [splitPath(k), toNumber(d)] as const);
      arr.sort((a, b) => {
        for (const [parts, dir] of fields) {
          const c = compareValues(getPathValue(isPlainDoc(a) ? a : {}, parts.join('.')), getPathValue(isPlainDoc(b) ? b : {}, parts.join('.')));
          if (c !== 0) return c * dir;
        }
        return 0;
      });
    } else {
      const dir = toNumber(sort);
      arr.sort((a, b) => compareValues(a, b) * dir);
    }
  }
  let out = arr;
  if (slice !== undefined) out = slice >= 0 ? arr.slice(0, slice) : arr.slice(Math.max(0, arr.length + slice));
  setPath(doc, path, out);
}

/**
 * Applies an operator update (or replacement) to a clone of `doc` and returns the new document.
 * `isInsert` enables $setOnInsert (upsert inserts).
 */
export function applyUpdate(doc: Doc, update: Doc, isInsert: boolean, now: Date = new Date()): Doc {
  if (!isOperatorUpdate(update)) {
    const out: Doc = {};
    if (doc._id !== undefined) out._id = doc._id;
    for (const k of Object.keys(update)) {
      if (k === '_id') {
        if (doc._id !== undefined && !valuesEqual(doc._id, update._id)) {
          throw new MongoCommandError(66, `After applying the update, the (immutable) field '_id' was found to have been altered to _id: ${describe(update._id)}`);
        }
        out._id = cloneValue(update._id);
        continue;
      }
      setField(out, k, cloneValue(update[k]));
    }
    return out;
  }
  const out = cloneValue(doc);
  for (const op of Object.keys(update)) {
    const args = update[op] as Doc;
    for (const path of Object.keys(args)) {
      const v: unknown = args[path];
      switch (op) {
        case '$setOnInsert':
          if (isInsert) setPath(out, path, cloneValue(v));
          break;
        case '$set':
          setPath(out, path, cloneValue(v));
          break;
        case '$unset': {
          const c = lookupForWrite(out, path);
          if (!c) break;
          if (Array.isArray(c.parent)) {
            if (isIndexSegment(c.key) && Number(c.key) < c.parent.length) c.parent[Number(c.key)] = null;
          } else {
            deleteField(c.parent, c.key);
          }
          break;
        }
        case '$inc':
        case '$mul': {
          const c = resolveForWrite(out, path);
          setAt(c, addNumbers(getAt(c), v, op));
          break;
        }
        case '$min':
        case '$max': {
          const c = resolveForWrite(out, path);
          const cur = getAt(c);
          const cmp = cur === undefined ? 0 : compareValues(v, cur);
          if (cur === undefined || (op === '$min' ? cmp < 0 : cmp > 0)) setAt(c, cloneValue(v));
          break;
        }
        case '$rename': {
          if (typeof v !== 'string') throw badValue(`The 'to' field for $rename must be a string: ${path}: ${describe(v)}`);
          if (v === path) throw badValue(`The source and target field for $rename must differ: ${path}: ${v}`);
          const c = lookupForWrite(out, path);
          if (!c || Array.isArray(c.parent)) break;
          const cur = getField(c.parent, c.key);
          if (cur === undefined) break;
          deleteField(c.parent, c.key);
          setPath(out, v, cur);
          break;
        }
        case '$push':
          applyPush(out, path, v);
          break;
        case '$addToSet': {
          const each = isPlainDoc(v) && hasField(v, '$each') ? getField(v, '$each') : undefined;
          const items = isPlainDoc(v) && hasField(v, '$each') ? (Array.isArray(each) ? each : []) : [v];
          const existing = arrayAt(out, path, '$addToSet');
          const arr = existing ? existing.slice() : [];
          const seen = new Set(arr.map(canonicalKey));
          for (const it of items) {
            const k = canonicalKey(it);
            if (!seen.has(k)) {
              seen.add(k);
              arr.push(cloneValue(it));
            }
          }
          setPath(out, path, arr);
          break;
        }
        case '$pull': {
          const existing = arrayAt(out, path, '$pull');
          if (!existing) break;
          const m = pullMatcher(v);
          setPath(out, path, existing.filter((e) => !m(e)));
          break;
        }
        case '$pullAll': {
          if (!Array.isArray(v)) throw badValue('$pullAll requires an array argument');
          const existing = arrayAt(out, path, '$pullAll');
          if (!existing) break;
          setPath(out, path, existing.filter((e) => !v.some((x) => valuesEqual(e, x))));
          break;
        }
        case '$pop': {
          const existing = arrayAt(out, path, '$pop');
          if (!existing || existing.length === 0) break;
          setPath(out, path, toNumber(v) < 0 ? existing.slice(1) : existing.slice(0, -1));
          break;
        }
        case '$currentDate': {
          const wantTs = isPlainDoc(v) && getField(v, '$type') === 'timestamp';
          setPath(out, path, wantTs ? Timestamp.fromBits(0, Math.floor(now.getTime() / 1000)) : new Date(now.getTime()));
          break;
        }
        default:
          throw new MongoCommandError(9, `Unknown modifier: ${op}`);
      }
    }
  }
  if (doc._id !== undefined && !valuesEqual(doc._id, out._id)) {
    throw new MongoCommandError(66, `Performing an update on the path '_id' would modify the immutable field '_id'`);
  }
  return out;
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
