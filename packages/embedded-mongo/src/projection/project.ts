/**
 * find() projection, parsed with mongod's rules: inclusion/exclusion of (dotted) fields, `_id`
 * handling, `$slice`, `$elemMatch` (its field comes after the other inclusions, as since 4.4) and
 * the positional `arr.$` (the array element the query matched). Other projection expressions are
 * delegated to mingo.
 */
import { MongoCommandError, badValue } from '../errors';
import { compileFilter, isOperatorObject } from '../filter/match';
import type { MatchDetails, MatchOptions, Predicate } from '../filter/match';
import { compileMingoProjection } from '../aggregate/mingo';
import { cloneValue, isNumeric, toNumber } from '../bson/values';
import { deleteField, getField, hasField, isPlainDoc, setField, splitPath } from '../bson/paths';
import type { Doc } from '../bson/paths';

/** Projects `doc`; a positional projection locates its element in `matched` (the pre-image). */
export type Projector = (doc: Doc, matched?: Doc) => Doc;

/** The query a find-style projection belongs to (positional projections need it). */
export interface ProjectionQuery {
  filter: unknown;
  match: MatchOptions;
}

/** Projected paths as a tree; a Map so that no field name can hit an inherited property. */
type Node = Map<string, Node | true>;

function includeTree(doc: unknown, tree: Node): unknown {
  if (Array.isArray(doc)) return doc.filter((e) => isPlainDoc(e) || Array.isArray(e)).map((e) => includeTree(e, tree));
  if (!isPlainDoc(doc)) return undefined;
  const out: Doc = {};
  for (const key of Object.keys(doc)) {
    const t = tree.get(key);
    if (t === undefined) continue;
    if (t === true) setField(out, key, cloneValue(doc[key]));
    else {
      const sub = includeTree(doc[key], t);
      if (sub !== undefined) setField(out, key, sub);
    }
  }
  return out;
}

function excludeTree(doc: unknown, tree: Node): unknown {
  if (Array.isArray(doc)) return doc.map((e) => excludeTree(e, tree));
  if (!isPlainDoc(doc)) return cloneValue(doc);
  const out: Doc = {};
  for (const key of Object.keys(doc)) {
    const t = tree.get(key);
    if (t === true) continue;
    setField(out, key, t === undefined ? cloneValue(doc[key]) : excludeTree(doc[key], t));
  }
  return out;
}

function addPath(tree: Node, path: string): void {
  const parts = splitPath(path);
  let cur = tree;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] as string;
    if (i === parts.length - 1) cur.set(p, true);
    else {
      const next = cur.get(p);
      if (next === true) return;
      if (next === undefined) {
        const n: Node = new Map();
        cur.set(p, n);
        cur = n;
      } else cur = next;
    }
  }
}

function sliceOf(spec: unknown): (arr: unknown) => unknown {
  if (Array.isArray(spec)) {
    if (spec.length !== 2) throw new MongoCommandError(31272, '$slice array argument should be of form [skip, limit]');
    if (!isNumeric(spec[0])) throw new MongoCommandError(31257, '$slice expects the skip argument to be a number');
    if (!isNumeric(spec[1])) throw new MongoCommandError(31258, '$slice expects the limit argument to be a number');
    const skip = toNumber(spec[0]);
    const lim = toNumber(spec[1]);
    if (lim <= 0) throw new MongoCommandError(31259, `$slice limit must be positive, got ${lim}`);
    return (arr) => {
      if (!Array.isArray(arr)) return arr;
      const start = skip < 0 ? Math.max(0, arr.length + skip) : Math.min(arr.length, skip);
      return arr.slice(start, start + lim);
    };
  }
  if (!isNumeric(spec)) throw new MongoCommandError(31273, '$slice only supports numbers and [skip, limit] arrays');
  const n = toNumber(spec);
  return (arr) => (Array.isArray(arr) ? (n >= 0 ? arr.slice(0, n) : arr.slice(Math.max(0, arr.length + n))) : arr);
}

function getIn(doc: unknown, parts: readonly string[]): unknown {
  let cur: unknown = doc;
  for (const p of parts) cur = isPlainDoc(cur) ? getField(cur, p) : undefined;
  return cur;
}

/** Replaces the first array on `parts` in `out` by its element the query matched (mongod's rules). */
function applyPositional(out: Doc, parts: readonly string[], key: number | undefined): void {
  let sub: unknown = out;
  for (const p of parts) {
    if (!isPlainDoc(sub)) return;
    const val = getField(sub, p);
    if (Array.isArray(val)) {
      if (key === undefined) throw new MongoCommandError(51246, "positional operator '.$' couldn't find a matching element in the array");
      if (key >= val.length) throw new MongoCommandError(51247, "positional operator '.$' element mismatch");
      setField(sub, p, [val[key]]);
      return;
    }
    sub = val;
  }
}

function withField(name: string, value: unknown): Doc {
  const doc: Doc = {};
  setField(doc, name, value);
  return doc;
}

interface Special {
  path: string;
  apply: (v: unknown, doc: Doc) => unknown;
}

export function compileProjection(spec: unknown, query?: ProjectionQuery): Projector | undefined {
  if (spec === undefined || spec === null) return undefined;
  if (!isPlainDoc(spec)) throw badValue('projection must be an object');
  const keys = Object.keys(spec);
  if (keys.length === 0) return undefined;
  let type: 'include' | 'exclude' | undefined;
  let idMode: boolean | undefined;
  let hasSlice = false;
  const tree: Node = new Map();
  const inPlace: Special[] = [];
  const appended: Special[] = [];
  let positional: string[] | undefined;
  let hasElemMatch = false;
  let needsMingo = false;
  const setType = (mode: 'include' | 'exclude', field: string): void => {
    if (type !== undefined && type !== mode) {
      throw new MongoCommandError(
        mode === 'include' ? 31253 : 31254,
        `Cannot do ${mode === 'include' ? 'inclusion' : 'exclusion'} on field ${field} in ${type === 'include' ? 'inclusion' : 'exclusion'} projection`,
      );
    }
    type = mode;
  };
  for (const key of keys) {
    const value: unknown = spec[key];
    if (key.includes('.$.')) {
      throw new MongoCommandError(
        31394,
        "As of 4.4, it's illegal to specify positional operator in the middle of a path.Positional projection may only be used at the end, for example: a.b.$. If the query previously used a form like a.b.$.d, remove the parts following the '$' and the results will be equivalent.",
      );
    }
    if (key.endsWith('.$')) {
      if (isPlainDoc(value)) throw new MongoCommandError(31271, 'positional projection cannot be used with an expression or sub object');
      if (!isNumeric(value) && typeof value !== 'boolean') throw new MongoCommandError(31308, 'positional projection cannot be used with a literal');
      if (!(typeof value === 'boolean' ? value : toNumber(value) !== 0))
        throw new MongoCommandError(31395, 'positional projection cannot be used with exclusion');
      if (positional) throw new MongoCommandError(31276, 'Cannot specify more than one positional projection per query.');
      if (hasElemMatch) throw new MongoCommandError(31256, 'Cannot specify positional operator and $elemMatch.');
      if (!query) throw new MongoCommandError(51050, 'Projections with a positional operator require a matcher');
      const base = key.slice(0, -2);
      positional = splitPath(base);
      setType('include', key);
      addPath(tree, base);
      continue;
    }
    if (isPlainDoc(value) && Object.keys(value).length === 1 && hasField(value, '$slice')) {
      const slice = sliceOf(getField(value, '$slice'));
      inPlace.push({ path: key, apply: (arr) => slice(arr) });
      hasSlice = true;
      continue;
    }
    if (isPlainDoc(value) && Object.keys(value).length === 1 && hasField(value, '$elemMatch')) {
      const cond = getField(value, '$elemMatch');
      if (!isPlainDoc(cond)) throw new MongoCommandError(31274, 'elemMatch: Invalid argument, object required');
      if (positional) throw new MongoCommandError(31255, 'Cannot specify positional operator and $elemMatch.');
      if (key.includes('.')) throw new MongoCommandError(31275, 'Cannot use $elemMatch projection on a nested field.');
      const predicate = compileFilter(withField(key, { $elemMatch: cond }), query?.match);
      appended.push({
        path: key,
        apply: (arr, doc) => {
          const details: MatchDetails = {};
          if (!Array.isArray(arr) || !predicate(doc, details) || details.elemMatchKey === undefined) return undefined;
          return [cloneValue(arr[details.elemMatchKey])];
        },
      });
      hasElemMatch = true;
      continue;
    }
    if (isOperatorObject(value) || (!isPlainDoc(value) && !isNumeric(value) && typeof value !== 'boolean')) {
      needsMingo = true;
      continue;
    }
    if (isPlainDoc(value)) {
      needsMingo = true;
      continue;
    }
    const on = typeof value === 'boolean' ? value : toNumber(value) !== 0;
    if (key === '_id') {
      idMode = on;
      continue;
    }
    setType(on ? 'include' : 'exclude', key);
    addPath(tree, key);
  }
  if (needsMingo) return compileMingoProjection(spec, query?.match.variables);
  // mongod's defaults for projections with no plain inclusion/exclusion.
  type ??= hasSlice ? (idMode === true ? 'include' : 'exclude') : hasElemMatch || idMode === true ? 'include' : 'exclude';
  const mode = type;
  if (mode === 'include') for (const s of inPlace) addPath(tree, s.path);
  const matcher: Predicate | undefined = positional && query ? compileFilter(query.filter, query.match) : undefined;
  return (doc, matched) => {
    let out: Doc;
    if (mode === 'include') {
      out = (includeTree(doc, tree) ?? {}) as Doc;
      if (idMode !== false && doc._id !== undefined) out = { _id: doc._id, ...out };
      else delete out._id;
    } else {
      out = excludeTree(doc, tree) as Doc;
      if (idMode === false) delete out._id;
    }
    for (const s of inPlace) {
      const parts = splitPath(s.path);
      const dst = getIn(out, parts.slice(0, -1));
      const last = parts[parts.length - 1] as string;
      if (isPlainDoc(dst) && hasField(dst, last)) setField(dst, last, s.apply(getField(dst, last), doc));
    }
    if (positional && matcher) {
      const details: MatchDetails = {};
      matcher(matched ?? doc, details);
      applyPositional(out, positional, details.elemMatchKey);
    }
    for (const s of appended) {
      const r = s.apply(getField(doc, s.path), doc);
      deleteField(out, s.path);
      if (r !== undefined) setField(out, s.path, r);
    }
    return out;
  };
}
