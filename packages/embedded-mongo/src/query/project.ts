/**
 * find() projection: inclusion/exclusion of (dotted) fields, `_id` handling, `$slice` and
 * `$elemMatch`. Other projection operators/expressions are delegated to mingo.
 */
import { MongoCommandError, badValue } from '../errors';
import { compileFilter } from './match';
import { compileMingoProjection } from './mingo';
import { cloneValue, isNumeric, toNumber } from './values';
import { deleteField, getField, hasField, isPlainDoc, setField, splitPath } from './paths';
import type { Doc } from './paths';

export type Projector = (doc: Doc) => Doc;

/** Projected paths as a tree; a Map so that no field name can hit an inherited property. */
type Node = Map<string, Node | true>;

function includeTree(doc: unknown, tree: Node): unknown {
  if (Array.isArray(doc)) return doc.filter((e) => isPlainDoc(e) || Array.isArray(e)).map((e) => includeTree(e, tree));
  if (!isPlainDoc(doc)) return undefined;
  const out: Doc = {};
  for (const k of Object.keys(doc)) {
    const t = tree.get(k);
    if (t === undefined) continue;
    if (t === true) setField(out, k, cloneValue(doc[k]));
    else {
      const sub = includeTree(doc[k], t);
      if (sub !== undefined) setField(out, k, sub);
    }
  }
  return out;
}

function excludeTree(doc: unknown, tree: Node): unknown {
  if (Array.isArray(doc)) return doc.map((e) => excludeTree(e, tree));
  if (!isPlainDoc(doc)) return cloneValue(doc);
  const out: Doc = {};
  for (const k of Object.keys(doc)) {
    const t = tree.get(k);
    if (t === true) continue;
    setField(out, k, t === undefined ? cloneValue(doc[k]) : excludeTree(doc[k], t));
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

export function compileProjection(spec: unknown): Projector | undefined {
  if (spec === undefined || spec === null) return undefined;
  if (!isPlainDoc(spec)) throw badValue('projection must be an object');
  const keys = Object.keys(spec);
  if (keys.length === 0) return undefined;
  let mode: 'include' | 'exclude' | undefined;
  let idMode: boolean | undefined;
  const tree: Node = new Map();
  const specials: { path: string; apply: (v: unknown) => unknown }[] = [];
  let needsMingo = false;
  for (const k of keys) {
    const v: unknown = spec[k];
    if (isPlainDoc(v)) {
      if (hasField(v, '$slice') && Object.keys(v).length === 1) {
        const s: unknown = getField(v, '$slice');
        specials.push({
          path: k,
          apply: (arr) => {
            if (!Array.isArray(arr)) return arr;
            if (Array.isArray(s)) {
              const skip = toNumber(s[0]);
              const lim = toNumber(s[1]);
              const start = skip < 0 ? Math.max(0, arr.length + skip) : skip;
              return arr.slice(start, start + lim);
            }
            const n = toNumber(s);
            return n >= 0 ? arr.slice(0, n) : arr.slice(Math.max(0, arr.length + n));
          },
        });
        continue;
      }
      if (hasField(v, '$elemMatch') && Object.keys(v).length === 1) {
        const p = compileFilter({ __e: { $elemMatch: getField(v, '$elemMatch') } });
        specials.push({
          path: k,
          apply: (arr) => {
            if (!Array.isArray(arr)) return undefined;
            const hit = arr.find((e) => p({ __e: [e] }));
            return hit === undefined ? undefined : [cloneValue(hit)];
          },
        });
        if (mode === undefined) mode = 'include';
        continue;
      }
      needsMingo = true;
      continue;
    }
    if (typeof v === 'string' || (!isNumeric(v) && typeof v !== 'boolean')) {
      needsMingo = true;
      continue;
    }
    const on = typeof v === 'boolean' ? v : toNumber(v) !== 0;
    if (k === '_id') {
      idMode = on;
      continue;
    }
    const m = on ? 'include' : 'exclude';
    if (mode !== undefined && mode !== m && specials.length === 0) {
      throw new MongoCommandError(31254, `Cannot do ${m === 'include' ? 'inclusion' : 'exclusion'} on field ${k} in ${mode === 'include' ? 'inclusion' : 'exclusion'} projection`);
    }
    mode = m;
    addPath(tree, k);
  }
  if (needsMingo) {
    return compileMingoProjection(spec);
  }
  if (mode === undefined) mode = idMode === false && specials.length === 0 ? 'exclude' : specials.length > 0 && idMode !== true ? 'exclude' : 'include';
  return (doc) => {
    let out: Doc;
    if (mode === 'include') {
      const t: Node = new Map(tree);
      for (const s of specials) addPath(t, s.path);
      out = (includeTree(doc, t) ?? {}) as Doc;
      if (idMode !== false && doc._id !== undefined) out = { _id: doc._id, ...out };
      else delete out._id;
    } else {
      out = excludeTree(doc, tree) as Doc;
      if (idMode === false) delete out._id;
    }
    for (const s of specials) {
      const parts = splitPath(s.path);
      let src: unknown = doc;
      for (const p of parts) src = isPlainDoc(src) ? getField(src, p) : undefined;
      let dst: unknown = out;
      for (const p of parts.slice(0, -1)) dst = isPlainDoc(dst) ? getField(dst, p) : undefined;
      const last = parts[parts.length - 1] as string;
      if (isPlainDoc(dst)) {
        const r = s.apply(src);
        if (r === undefined) deleteField(dst, last);
        else setField(dst, last, cloneValue(r));
      }
    }
    return out;
  };
}
