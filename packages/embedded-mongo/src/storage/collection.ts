/**
 * An in-memory collection: documents in a Map keyed by the canonical string of `_id` (O(1)
 * `_id` lookups), plus secondary indexes mapping canonical index keys to sets of `_id` keys.
 */
import { MongoCommandError } from '../errors';
import { compileFilter, equalityFields } from '../query/match';
import type { Predicate } from '../query/match';
import { bsonType, canonicalKey, isNumeric, toNumber } from '../query/values';
import { getField, isPlainDoc, pathValues, setField, splitPath } from '../query/paths';
import type { Doc } from '../query/paths';

export interface IndexSpec {
  v: number;
  key: Doc;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  expireAfterSeconds?: number;
  partialFilterExpression?: Doc;
}

export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  if (v === undefined || v === null) return 'null';
  const t = bsonType(v);
  if (t === 'ObjectId') return `ObjectId('${String(v)}')`;
  if (t !== undefined) return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

export class DuplicateKeyError extends MongoCommandError {
  constructor(ns: string, index: IndexSpec, keyValue: Doc) {
    const shown = Object.entries(keyValue)
      .map(([k, v]) => `${k}: ${describeValue(v)}`)
      .join(', ');
    super(11000, `E11000 duplicate key error collection: ${ns} index: ${index.name} dup key: { ${shown} }`, {
      keyPattern: { ...index.key },
      keyValue,
    });
  }
}

/** Equality values looked up for one field of an index (one value, or several for `$in`). */
export interface IndexBound {
  path: string;
  values: unknown[];
}

interface IndexScan {
  kind: 'IXSCAN';
  index: IndexSpec;
  multiKey: boolean;
  bounds: IndexBound[];
  keysExamined: number;
  ids: Set<string>;
}

/** The planner's decision for one filter (see Collection.candidates). */
export type AccessPlan =
  | { kind: 'COLLSCAN' }
  | { kind: 'ID'; values: unknown[]; keysExamined: number }
  | Omit<IndexScan, 'ids'>;

const COLLSCAN: AccessPlan = { kind: 'COLLSCAN' };

const EMPTY_ARRAY_KEY = 'E';

export class Index {
  readonly spec: IndexSpec;
  readonly fields: { path: string; parts: string[] }[];
  readonly map = new Map<string, Set<string>>();
  multiKey = false;
  private readonly partial: Predicate | undefined;

  constructor(spec: IndexSpec) {
    this.spec = spec;
    this.fields = Object.keys(spec.key).map((path) => ({ path, parts: splitPath(path) }));
    this.partial = spec.partialFilterExpression ? compileFilter(spec.partialFilterExpression) : undefined;
  }

  get usableForEquality(): boolean {
    return this.partial === undefined;
  }

  /** Index keys of a document (several for multikey), or [] when the document is not indexed. */
  keysFor(doc: Doc): string[] {
    return this.keysOf(doc).keys;
  }

  private keysOf(doc: Doc): { keys: string[]; multi: boolean } {
    if (this.partial && !this.partial(doc)) return { keys: [], multi: false };
    let multi = false;
    let keys: string[] = [''];
    let anyPresent = false;
    for (let i = 0; i < this.fields.length; i++) {
      const f = this.fields[i] as { parts: string[] };
      const parts: string[] = [];
      for (const v of pathValues(doc, f.parts)) {
        if (Array.isArray(v)) {
          multi = true;
          if (v.length === 0) parts.push(EMPTY_ARRAY_KEY);
          for (const e of v) parts.push(canonicalKey(e));
        } else parts.push(canonicalKey(v));
      }
      if (parts.length === 0) parts.push(canonicalKey(null));
      else anyPresent = true;
      const uniq = [...new Set(parts)];
      const next: string[] = [];
      for (const k of keys) for (const p of uniq) next.push(i === 0 ? p : k + '|' + p);
      keys = next;
    }
    if (this.spec.sparse && !anyPresent) return { keys: [], multi: false };
    return { keys, multi };
  }

  keyValueFor(doc: Doc): Doc {
    const out: Doc = {};
    for (const f of this.fields) {
      const vals = pathValues(doc, f.parts);
      setField(out, f.path, vals.length === 0 ? null : vals[0]);
    }
    return out;
  }

  add(idKey: string, doc: Doc): void {
    const { keys, multi } = this.keysOf(doc);
    // Like mongod, an index stays multikey once a document has made it so.
    if (multi) this.multiKey = true;
    for (const k of keys) {
      let set = this.map.get(k);
      if (!set) {
        set = new Set();
        this.map.set(k, set);
      }
      set.add(idKey);
    }
  }

  remove(idKey: string, doc: Doc): void {
    for (const k of this.keysFor(doc)) {
      const set = this.map.get(k);
      if (!set) continue;
      set.delete(idKey);
      if (set.size === 0) this.map.delete(k);
    }
  }

  /** Returns the conflicting `_id` key if adding `doc` would violate uniqueness. */
  conflict(idKey: string, doc: Doc): boolean {
    if (!this.spec.unique) return false;
    for (const k of this.keysFor(doc)) {
      const set = this.map.get(k);
      if (!set) continue;
      for (const other of set) if (other !== idKey) return true;
    }
    return false;
  }
}

export function idKeyOf(doc: Doc): string {
  return canonicalKey(doc._id);
}

/** True when `v` can be looked up by canonical key (a plain equality value). */
function indexableValue(v: unknown): boolean {
  if (v === undefined || Array.isArray(v) || v instanceof RegExp) return false;
  const t = bsonType(v);
  if (t === 'BSONRegExp' || t === 'MinKey' || t === 'MaxKey') return false;
  if (isPlainDoc(v) && Object.keys(v).some((k) => k.startsWith('$'))) return false;
  return true;
}

export class Collection {
  readonly db: string;
  readonly name: string;
  options: Doc;
  readonly docs = new Map<string, Doc>();
  readonly indexes = new Map<string, Index>();

  constructor(db: string, name: string, options: Doc = {}) {
    this.db = db;
    this.name = name;
    this.options = options;
  }

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  idIndexSpec(): IndexSpec {
    return { v: 2, key: { _id: 1 }, name: '_id_' };
  }

  allIndexSpecs(): IndexSpec[] {
    return [this.idIndexSpec(), ...[...this.indexes.values()].map((i) => i.spec)];
  }

  /** Throws DuplicateKeyError if `doc` (with `_id` key `idKey`) would violate a unique index. */
  checkUnique(idKey: string, doc: Doc, isNew: boolean): void {
    if (isNew && this.docs.has(idKey)) {
      throw new DuplicateKeyError(this.ns, this.idIndexSpec(), { _id: doc._id });
    }
    for (const idx of this.indexes.values()) {
      if (idx.conflict(idKey, doc)) throw new DuplicateKeyError(this.ns, idx.spec, idx.keyValueFor(doc));
    }
  }

  /** Inserts or replaces by `_id`. Unique checks are the caller's job (see checkUnique). */
  put(doc: Doc): void {
    const idKey = idKeyOf(doc);
    const old = this.docs.get(idKey);
    if (old) for (const idx of this.indexes.values()) idx.remove(idKey, old);
    this.docs.set(idKey, doc);
    for (const idx of this.indexes.values()) idx.add(idKey, doc);
  }

  removeById(idKey: string): Doc | undefined {
    const old = this.docs.get(idKey);
    if (!old) return undefined;
    for (const idx of this.indexes.values()) idx.remove(idKey, old);
    this.docs.delete(idKey);
    return old;
  }

  addIndex(spec: IndexSpec, enforce: boolean): void {
    const idx = new Index(spec);
    for (const [idKey, doc] of this.docs) {
      if (enforce && idx.conflict(idKey, doc)) throw new DuplicateKeyError(this.ns, spec, idx.keyValueFor(doc));
      idx.add(idKey, doc);
    }
    this.indexes.set(spec.name, idx);
  }

  /**
   * Query planner: candidate documents for `filter`. Uses the `_id` map or a secondary index
   * when the filter has a top-level (or `$and`) equality / `$in` on every field of an index;
   * otherwise scans. Callers always apply the full matcher to the candidates. `explain` reports
   * this same decision, so the plan carries what it looked up and how many keys it examined.
   */
  candidates(filter: unknown): { docs: Iterable<Doc>; plan: AccessPlan } {
    if (!isPlainDoc(filter) || Object.keys(filter).length === 0) return { docs: this.docs.values(), plan: COLLSCAN };
    const eq = equalityFields(filter);
    const inLists = new Map<string, unknown[]>();
    for (const [k, v] of Object.entries(filter)) {
      const list = isPlainDoc(v) ? getField(v, '$in') : undefined;
      if (!k.startsWith('$') && Array.isArray(list) && list.every(indexableValue)) inLists.set(k, list);
    }
    const valuesFor = (path: string): unknown[] | undefined => {
      if (eq.has(path)) {
        const v = eq.get(path);
        return indexableValue(v) ? [v] : undefined;
      }
      return inLists.get(path);
    };
    const idVals = valuesFor('_id');
    if (idVals) {
      const out: Doc[] = [];
      const seen = new Set<string>();
      const looked: unknown[] = [];
      for (const v of idVals) {
        if (v === null) return { docs: this.docs.values(), plan: COLLSCAN };
        const k = canonicalKey(v);
        if (seen.has(k)) continue;
        seen.add(k);
        looked.push(v);
        const d = this.docs.get(k);
        if (d) out.push(d);
      }
      return { docs: out, plan: { kind: 'ID', values: looked, keysExamined: out.length } };
    }
    let best: IndexScan | undefined;
    for (const idx of this.indexes.values()) {
      if (!idx.usableForEquality) continue;
      let keys: string[] = [''];
      const bounds: IndexBound[] = [];
      let ok = true;
      for (let i = 0; i < idx.fields.length && ok; i++) {
        const f = idx.fields[i] as { path: string };
        const vals = valuesFor(f.path);
        if (!vals || (idx.spec.sparse && vals.some((v) => v === null))) {
          ok = false;
          break;
        }
        bounds.push({ path: f.path, values: vals });
        const next: string[] = [];
        for (const k of keys) for (const v of vals) next.push(i === 0 ? canonicalKey(v) : k + '|' + canonicalKey(v));
        keys = next;
      }
      if (!ok) continue;
      const ids = new Set<string>();
      let keysExamined = 0;
      for (const k of keys) {
        const s = idx.map.get(k);
        if (!s) continue;
        keysExamined += s.size;
        for (const id of s) ids.add(id);
      }
      if (!best || ids.size < best.ids.size) best = { kind: 'IXSCAN', index: idx.spec, multiKey: idx.multiKey, bounds, keysExamined, ids };
      if (ids.size <= 1) break;
    }
    if (best) {
      const out: Doc[] = [];
      for (const id of best.ids) {
        const d = this.docs.get(id);
        if (d) out.push(d);
      }
      return { docs: out, plan: best };
    }
    return { docs: this.docs.values(), plan: COLLSCAN };
  }
}

export function normalizeIndexKey(key: unknown): Doc {
  if (!isPlainDoc(key) || Object.keys(key).length === 0) throw new MongoCommandError(67, 'Index keys must be a non-empty object');
  const out: Doc = {};
  for (const [k, v] of Object.entries(key)) {
    if (!isNumeric(v) || toNumber(v) === 0) {
      throw new MongoCommandError(67, `Index type '${String(v)}' on field '${k}' is not supported by embedded-mongo (only ascending/descending indexes)`);
    }
    setField(out, k, toNumber(v) > 0 ? 1 : -1);
  }
  return out;
}
