/**
 * An in-memory collection: documents in a Map keyed by the canonical string of `_id` (O(1)
 * `_id` lookups), plus secondary indexes mapping canonical index keys to sets of `_id` keys.
 */
import { calculateObjectSize, ObjectId } from 'bson';
import { MongoCommandError, badValue } from '../errors';
import { parseCollation, sameCollation } from '../bson/collation';
import type { Collation } from '../bson/collation';
import { compileFilter, equalityFields } from '../filter/match';
import type { Predicate } from '../filter/match';
import { compileSort } from '../bson/sort';
import { bsonType, describeValue, isNumeric, toNumber } from '../bson/values';
import { canonicalKey, collatedKey } from '../bson/keys';
import { compareValues, typeRank } from '../bson/compare';
import { getField, hasField, isPlainDoc, pathValues, setField, splitPath } from '../bson/paths';
import type { Doc } from '../bson/paths';
import { OrderedKeys } from './ordered-keys';

export interface IndexSpec {
  v: number;
  key: Doc;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  expireAfterSeconds?: number;
  partialFilterExpression?: Doc;
  /** Full collation spec (as listIndexes shows it); absent for the simple collation. */
  collation?: Doc;
  /** Hidden indexes are maintained (unique, TTL) but never chosen by the planner. */
  hidden?: boolean;
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

/**
 * Equality values looked up for one field of an index (one value, or several for `$in`);
 * `undefined` for a full scan of the index (a hinted index the filter cannot bound).
 */
export interface IndexBound {
  path: string;
  values: unknown[] | undefined;
}

/** What the planner needs to know about the query besides its filter. */
export interface PlanOptions {
  collation?: Collation | undefined;
  /** An index name, a key pattern or `{$natural: ±1}`, as the commands accept it. */
  hint?: unknown;
  /** The query's sort, and how many documents it needs in that order (skip + limit; 0: all). */
  sort?: unknown;
  limit?: number;
}

interface IndexScan {
  kind: 'IXSCAN';
  index: IndexSpec;
  multiKey: boolean;
  bounds: IndexBound[];
  keysExamined: number;
  ids: Set<string>;
  /** Set when the scan walks the whole index in its order (or backwards) to give the query's sort. */
  order?: { direction: 'forward' | 'backward' };
}

/** The planner's decision for one filter (see Collection.candidates). */
export type AccessPlan = { kind: 'COLLSCAN'; backward?: boolean } | { kind: 'ID'; values: unknown[]; keysExamined: number } | Omit<IndexScan, 'ids'>;

const COLLSCAN: AccessPlan = { kind: 'COLLSCAN' };

const EMPTY_ARRAY_KEY = 'E';

/** True when `v` is or contains a string (the values a collation changes the meaning of). */
function hasStrings(value: unknown): boolean {
  if (typeof value === 'string' || bsonType(value) === 'BSONSymbol') return true;
  if (Array.isArray(value)) return value.some(hasStrings);
  if (isPlainDoc(value)) return Object.values(value).some(hasStrings);
  return false;
}

export class Index {
  readonly spec: IndexSpec;
  readonly fields: { path: string; parts: string[] }[];
  readonly map = new Map<string, Set<string>>();
  multiKey = false;
  readonly collation: Collation | undefined;
  private readonly partial: Predicate | undefined;
  private readonly storeKey: (v: unknown) => string;
  /**
   * The keys in index order, built the first time a sort asks for them and kept up to date from then
   * on; `null` once a document had several values for a field (array order is not index order here).
   */
  private ordered: OrderedKeys | undefined | null;

  constructor(spec: IndexSpec) {
    this.spec = spec;
    this.fields = Object.keys(spec.key).map((path) => ({ path, parts: splitPath(path) }));
    this.collation = spec.collation ? parseCollation(spec.collation) : undefined;
    // A partial index's filter runs with the index's collation, as in mongod.
    this.partial = spec.partialFilterExpression ? compileFilter(spec.partialFilterExpression, { collation: this.collation }) : undefined;
    const coll = this.collation;
    this.storeKey = coll ? (v) => collatedKey(v, (s) => coll.key(s, true)) : canonicalKey;
  }

  get usableForEquality(): boolean {
    return this.partial === undefined && this.spec.hidden !== true;
  }

  /**
   * Whether walking this index gives documents in the order of `sort`: its fields are a prefix of the
   * key pattern with the same directions (`forward`) or all reversed (`backward`). Only for an index
   * holding every document under the simple collation with one value per field.
   */
  orderFor(sort: [string, number][]): 'forward' | 'backward' | undefined {
    if (!this.usableForEquality || this.spec.sparse || this.collation || this.multiKey || this.ordered === null) return undefined;
    if (sort.length === 0 || sort.length > this.fields.length) return undefined;
    let sign = 0;
    for (let i = 0; i < sort.length; i++) {
      const [path, direction] = sort[i] as [string, number];
      if ((this.fields[i] as { path: string }).path !== path) return undefined;
      const relative = Math.sign(toNumber(this.spec.key[path])) * direction;
      if (sign !== 0 && relative !== sign) return undefined;
      sign = relative;
    }
    return sign > 0 ? 'forward' : 'backward';
  }

  /** The field values a document is ordered by, or null when a field has several. */
  private tupleOf(doc: Doc): unknown[] | null {
    const tuple: unknown[] = [];
    for (const field of this.fields) {
      const values = pathValues(doc, field.parts);
      if (values.length > 1 || Array.isArray(values[0])) return null;
      tuple.push(values.length === 0 ? null : values[0]);
    }
    return tuple;
  }

  /** `_id` keys in index order (or reversed); builds the ordered keys from `docs` on first use. */
  orderedIds(docs: Map<string, Doc>, backward: boolean): Iterable<string> | undefined {
    return this.orderedKeys(docs)?.ids(backward);
  }

  /** The ordered keys, built from `docs` on first use; undefined when this index cannot keep them. */
  orderedKeys(docs: Map<string, Doc>): OrderedKeys | undefined {
    if (this.ordered === undefined) {
      const items: [unknown[], string][] = [];
      for (const [idKey, doc] of docs) {
        const tuple = this.tupleOf(doc);
        if (!tuple) {
          this.ordered = null;
          return undefined;
        }
        items.push([tuple, idKey]);
      }
      this.ordered = new OrderedKeys(
        this.fields.map((field) => Math.sign(toNumber(this.spec.key[field.path]))),
        items,
      );
    }
    return this.ordered ?? undefined;
  }

  /**
   * The key a query value is looked up under, or `undefined` when this index cannot answer it:
   * a string compared under another collation than the index's.
   */
  lookupKey(value: unknown, collation: Collation | undefined): string | undefined {
    const coll = this.collation;
    if (!sameCollation(coll, collation) && hasStrings(value)) return undefined;
    return coll ? collatedKey(value, (s) => coll.key(s, false)) : canonicalKey(value);
  }

  /** Every `_id` key in the index (a full index scan). */
  allIds(): Set<string> {
    const out = new Set<string>();
    for (const set of this.map.values()) for (const id of set) out.add(id);
    return out;
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
      for (const value of pathValues(doc, f.parts)) {
        if (Array.isArray(value)) {
          multi = true;
          if (value.length === 0) parts.push(EMPTY_ARRAY_KEY);
          for (const e of value) parts.push(this.storeKey(e));
        } else parts.push(this.storeKey(value));
      }
      if (parts.length === 0) parts.push(canonicalKey(null));
      else anyPresent = true;
      const uniq = [...new Set(parts)];
      const next: string[] = [];
      for (const key of keys) for (const p of uniq) next.push(i === 0 ? p : key + '|' + p);
      keys = next;
    }
    if (this.spec.sparse && !anyPresent) return { keys: [], multi: false };
    return { keys, multi };
  }

  keyValueFor(doc: Doc): Doc {
    const out: Doc = {};
    for (const field of this.fields) {
      const vals = pathValues(doc, field.parts);
      setField(out, field.path, vals.length === 0 ? null : vals[0]);
    }
    return out;
  }

  add(idKey: string, doc: Doc): void {
    const { keys, multi } = this.keysOf(doc);
    // Like mongod, an index stays multikey once a document has made it so.
    if (multi) this.multiKey = true;
    if (this.ordered) {
      const tuple = this.tupleOf(doc);
      if (tuple) this.ordered.add(tuple, idKey);
      else this.ordered = null;
    }
    for (const key of keys) {
      let set = this.map.get(key);
      if (!set) {
        set = new Set();
        this.map.set(key, set);
      }
      set.add(idKey);
    }
  }

  remove(idKey: string, doc: Doc): void {
    if (this.ordered) {
      const tuple = this.tupleOf(doc);
      if (tuple) this.ordered.remove(tuple, idKey);
    }
    for (const key of this.keysFor(doc)) {
      const set = this.map.get(key);
      if (!set) continue;
      set.delete(idKey);
      if (set.size === 0) this.map.delete(key);
    }
  }

  /** Returns the conflicting `_id` key if adding `doc` would violate uniqueness. */
  conflict(idKey: string, doc: Doc): boolean {
    if (!this.spec.unique) return false;
    for (const key of this.keysFor(doc)) {
      const set = this.map.get(key);
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
function indexableValue(value: unknown): boolean {
  if (value === undefined || Array.isArray(value) || value instanceof RegExp) return false;
  const type = bsonType(value);
  if (type === 'BSONRegExp' || type === 'MinKey' || type === 'MaxKey') return false;
  if (isPlainDoc(value) && Object.keys(value).some((k) => k.startsWith('$'))) return false;
  return true;
}

type ResolvedHint = { kind: 'natural'; backward: boolean } | { kind: 'id' } | { kind: 'index'; index: Index };

const ID_KEY = { _id: 1 };

function sameKeyPattern(left: Doc, right: Doc): boolean {
  const ka = Object.keys(left);
  const kb = Object.keys(right);
  return (
    ka.length === kb.length &&
    ka.every((k, i) => k === kb[i] && isNumeric(left[k]) && isNumeric(right[k]) && Math.sign(toNumber(left[k])) === Math.sign(toNumber(right[k])))
  );
}

export class Collection {
  readonly db: string;
  readonly name: string;
  private currentOptions: Doc = {};
  readonly docs = new Map<string, Doc>();
  readonly indexes = new Map<string, Index>();
  private defaultCollation: Collation | undefined;
  /**
   * `docs` is keyed by the binary `_id`; with a default collation the `_id` index compares
   * under it (`'a'` and `'A'` collide at strength 2), which this index enforces and answers.
   */
  private idIndex: Index | undefined;
  private capLimits: { bytes: number; docs: number } | undefined;
  private documentBytes = 0;

  constructor(db: string, name: string, options: Doc = {}) {
    this.db = db;
    this.name = name;
    this.setOptions(options);
  }

  /** The options it was created with (or given by collMod). */
  get options(): Doc {
    return this.currentOptions;
  }

  /** The collection's default collation (from `create`), which its `_id` index also follows. */
  get collation(): Collation | undefined {
    return this.defaultCollation;
  }

  /** For a capped collection: its limits. */
  get cap(): { bytes: number; docs: number } | undefined {
    return this.capLimits;
  }

  /** The BSON bytes of its documents (kept for capped collections only). */
  get dataBytes(): number {
    return this.documentBytes;
  }

  setOptions(options: Doc): void {
    this.currentOptions = options;
    this.capLimits = cappedLimits(options);
    if (this.capLimits) this.documentBytes = [...this.docs.values()].reduce((n, d) => n + calculateObjectSize(d), 0);
    const collation = isPlainDoc(options.collation) ? parseCollation(options.collation) : undefined;
    if (sameCollation(collation, this.collation) && (this.idIndex !== undefined) === (collation !== undefined)) return;
    this.defaultCollation = collation;
    this.idIndex = collation ? new Index({ ...this.idIndexSpec(), unique: true }) : undefined;
    if (this.idIndex) for (const [idKey, doc] of this.docs) this.idIndex.add(idKey, doc);
  }

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  idIndexSpec(): IndexSpec {
    return { v: 2, key: { ...ID_KEY }, name: '_id_', ...(this.collation ? { collation: this.collation.spec } : {}) };
  }

  allIndexSpecs(): IndexSpec[] {
    return [this.idIndexSpec(), ...[...this.indexes.values()].map((i) => i.spec)];
  }

  /** Throws DuplicateKeyError if `doc` (with `_id` key `idKey`) would violate a unique index. */
  checkUnique(idKey: string, doc: Doc, isNew: boolean): void {
    if (isNew && (this.docs.has(idKey) || this.idIndex?.conflict(idKey, doc))) {
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
    if (old) {
      for (const idx of this.indexes.values()) idx.remove(idKey, old);
      this.idIndex?.remove(idKey, old);
      if (this.cap) this.documentBytes -= calculateObjectSize(old);
    }
    if (this.cap) this.documentBytes += calculateObjectSize(doc);
    this.docs.set(idKey, doc);
    for (const idx of this.indexes.values()) idx.add(idKey, doc);
    this.idIndex?.add(idKey, doc);
  }

  removeById(idKey: string): Doc | undefined {
    const old = this.docs.get(idKey);
    if (!old) return undefined;
    for (const idx of this.indexes.values()) idx.remove(idKey, old);
    this.idIndex?.remove(idKey, old);
    if (this.cap) this.documentBytes -= calculateObjectSize(old);
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

  /** An index by name or key pattern, as `hint`, `dropIndexes` and `collMod` name them. */
  findIndex(target: unknown): Index | undefined {
    if (typeof target === 'string') return this.indexes.get(target);
    if (isPlainDoc(target)) return [...this.indexes.values()].find((i) => sameKeyPattern(i.spec.key, target));
    return undefined;
  }

  private resolveHint(hint: unknown): ResolvedHint | undefined {
    if (hint === undefined || hint === null || hint === '' || (isPlainDoc(hint) && Object.keys(hint).length === 0)) return undefined;
    if (isPlainDoc(hint) && hasField(hint, '$natural')) return { kind: 'natural', backward: toNumber(getField(hint, '$natural')) < 0 };
    if (hint === '_id_' || (isPlainDoc(hint) && sameKeyPattern(hint, ID_KEY))) return { kind: 'id' };
    if (typeof hint !== 'string' && !isPlainDoc(hint)) throw badValue('hint must be a string or an object');
    const index = this.findIndex(hint);
    // Hidden indexes cannot be hinted either.
    if (!index || index.spec.hidden === true) throw badValue('hint provided does not correspond to an existing index');
    return { kind: 'index', index };
  }

  /**
   * Query planner: candidate documents for `filter`. Uses the `_id` map or a secondary index
   * when the filter has a top-level (or `$and`) equality / `$in` on every field of an index that
   * compares strings under the query's collation; otherwise scans. A hint forces its index (a
   * full index scan, in index order, when the filter cannot bound it) or a collection scan.
   * Callers always apply the full matcher to the candidates. `explain` reports this same
   * decision, so the plan carries what it looked up and how many keys it examined.
   */
  candidates(filter: unknown, opts: PlanOptions = {}): { docs: Iterable<Doc>; plan: AccessPlan } {
    const hint = this.resolveHint(opts.hint);
    if (hint?.kind === 'natural') {
      if (hint.backward) return { docs: [...this.docs.values()].reverse(), plan: { kind: 'COLLSCAN', backward: true } };
      return { docs: this.docs.values(), plan: COLLSCAN };
    }
    const collation = opts.collation;
    const valuesFor = equalityLookups(filter);
    if (!hint || hint.kind === 'id') {
      const idVals = valuesFor('_id');
      // The `_id` map compares binary: it answers strings only under the simple collation.
      if (idVals && (collation === undefined || !idVals.some(hasStrings))) {
        const plan = this.idLookup(idVals);
        if (plan) return plan;
      }
    }
    if (hint) {
      const index = hint.kind === 'id' ? this.idIndex : hint.index;
      const scan = index ? this.indexLookup(index, valuesFor, collation) : undefined;
      if (scan) return { docs: this.fetch(scan.ids), plan: planOf(scan) };
      return this.fullIndexScan(index ?? new Index(this.idIndexSpec()), hint.kind === 'id');
    }
    let best: IndexScan | undefined;
    const choices = this.idIndex ? [this.idIndex, ...this.indexes.values()] : this.indexes.values();
    for (const idx of choices) {
      if (!idx.usableForEquality) continue;
      const scan = this.indexLookup(idx, valuesFor, collation);
      if (!scan) continue;
      if (!best || scan.ids.size < best.ids.size) best = scan;
      if (scan.ids.size <= 1) break;
    }
    if (best) return { docs: this.fetch(best.ids), plan: planOf(best) };
    return this.inSortOrder(opts) ?? { docs: this.docs.values(), plan: COLLSCAN };
  }

  /**
   * For a sorted query with a limit that no equality bounds: the documents in the order of an index
   * that gives the sort, so the caller can stop after `limit` matches instead of sorting them all
   * (as mongod does with an index on the sort fields).
   */
  private inSortOrder({ sort, limit, collation }: PlanOptions): { docs: Iterable<Doc>; plan: AccessPlan } | undefined {
    if (!limit || limit <= 0 || collation !== undefined || !isPlainDoc(sort)) return undefined;
    const fields = Object.entries(sort).map(([path, direction]): [string, number] => [path, isNumeric(direction) ? Math.sign(toNumber(direction)) : 0]);
    for (const idx of this.indexes.values()) {
      const direction = idx.orderFor(fields);
      if (!direction) continue;
      const ids = idx.orderedIds(this.docs, direction === 'backward');
      if (!ids) continue;
      const plan = {
        kind: 'IXSCAN' as const,
        index: idx.spec,
        multiKey: false,
        bounds: idx.fields.map((field) => ({ path: field.path, values: undefined })),
        keysExamined: 0,
        order: { direction },
      };
      return { docs: this.walk(ids, plan), plan };
    }
    return undefined;
  }

  /**
   * The number of documents matching `filter` when it is one range (`$gt`/`$gte`/`$lt`/`$lte` on
   * numbers, strings, dates or ObjectIds) on the first field of an index that keeps its keys in
   * order: counted from the index without reading documents (mongod's COUNT_SCAN). Otherwise undefined.
   */
  countByIndex(filter: unknown, { collation, hint }: PlanOptions): number | undefined {
    if (collation !== undefined || (hint !== undefined && hint !== null) || !isPlainDoc(filter)) return undefined;
    const range = rangeOf(filter);
    if (!range) return undefined;
    for (const idx of this.indexes.values()) {
      if ((idx.fields[0] as { path: string }).path !== range.path || !idx.orderFor([[range.path, 1]])) continue;
      const keys = idx.orderedKeys(this.docs);
      if (keys) return keys.countFirstField(range.rank, range.lower, range.upper);
    }
    return undefined;
  }

  /** Documents for `ids` as they are read, counting the keys examined into `plan`. */
  private *walk(ids: Iterable<string>, plan: { keysExamined: number }): Generator<Doc> {
    for (const id of ids) {
      plan.keysExamined++;
      const doc = this.docs.get(id);
      if (doc) yield doc;
    }
  }

  private idLookup(idVals: unknown[]): { docs: Doc[]; plan: AccessPlan } | undefined {
    const out: Doc[] = [];
    const seen = new Set<string>();
    const looked: unknown[] = [];
    for (const value of idVals) {
      if (value === null) return undefined;
      const key = canonicalKey(value);
      if (seen.has(key)) continue;
      seen.add(key);
      looked.push(value);
      const doc = this.docs.get(key);
      if (doc) out.push(doc);
    }
    return { docs: out, plan: { kind: 'ID', values: looked, keysExamined: out.length } };
  }

  /** Looks the filter's equalities up in `idx`, or `undefined` when they cannot bound it. */
  private indexLookup(idx: Index, valuesFor: (path: string) => unknown[] | undefined, collation: Collation | undefined): IndexScan | undefined {
    let keys: string[] = [''];
    const bounds: IndexBound[] = [];
    for (let i = 0; i < idx.fields.length; i++) {
      const field = idx.fields[i] as { path: string };
      const vals = valuesFor(field.path);
      if (!vals || (idx.spec.sparse && vals.some((v) => v === null))) return undefined;
      const next: string[] = [];
      for (const value of vals) {
        const key = idx.lookupKey(value, collation);
        if (key === undefined) return undefined;
        for (const name of keys) next.push(i === 0 ? key : name + '|' + key);
      }
      bounds.push({ path: field.path, values: vals });
      keys = next;
    }
    const ids = new Set<string>();
    let keysExamined = 0;
    for (const key of keys) {
      const s = idx.map.get(key);
      if (!s) continue;
      keysExamined += s.size;
      for (const id of s) ids.add(id);
    }
    return { kind: 'IXSCAN', index: idx.spec, multiKey: idx.multiKey, bounds, keysExamined, ids };
  }

  /** Every document the index holds, in the index's order (what a hinted index scan returns). */
  private fullIndexScan(idx: Index, isId: boolean): { docs: Doc[]; plan: AccessPlan } {
    const ids = isId ? new Set(this.docs.keys()) : idx.allIds();
    const docs = this.fetch(ids);
    const cmp = compileSort(idx.spec.key, idx.collation);
    if (cmp) docs.sort(cmp);
    const bounds = idx.fields.map((f) => ({ path: f.path, values: undefined }));
    return { docs, plan: { kind: 'IXSCAN', index: idx.spec, multiKey: idx.multiKey, bounds, keysExamined: ids.size } };
  }

  private fetch(ids: Set<string>): Doc[] {
    const out: Doc[] = [];
    for (const id of ids) {
      const doc = this.docs.get(id);
      if (doc) out.push(doc);
    }
    return out;
  }
}

/**
 * A capped collection's limits as mongod applies them: at most `max` documents, and `size` bytes
 * (at least 4096, else rounded up to a multiple of 256).
 */
function cappedLimits(options: Doc): { bytes: number; docs: number } | undefined {
  if (options.capped !== true || !isNumeric(options.size)) return undefined;
  const size = toNumber(options.size);
  const bytes = size <= 4096 ? 4096 : Math.ceil(size / 256) * 256;
  const max = isNumeric(options.max) && toNumber(options.max) > 0 ? toNumber(options.max) : Infinity;
  return { bytes, docs: max };
}

function planOf(scan: IndexScan): AccessPlan {
  return { kind: 'IXSCAN', index: scan.index, multiKey: scan.multiKey, bounds: scan.bounds, keysExamined: scan.keysExamined };
}

const RANGE_OPERATORS = new Set(['$gt', '$gte', '$lt', '$lte']);
/** The BSON type classes a range can be counted from an index for (their order within is compareValues'). */
const COUNTABLE_RANKS = new Set([typeRank(0), typeRank(''), typeRank(new Date(0)), typeRank(new ObjectId())]);

interface Range {
  path: string;
  rank: number;
  lower?: { value: unknown; inclusive: boolean };
  upper?: { value: unknown; inclusive: boolean };
}

/** `{path: {$gt: a, $lt: b}}` and the like, with bounds of one countable type class; else undefined. */
function rangeOf(filter: Doc): Range | undefined {
  const entries = Object.entries(filter);
  if (entries.length !== 1) return undefined;
  const [path, condition] = entries[0] as [string, unknown];
  if (path.startsWith('$') || !isPlainDoc(condition)) return undefined;
  const operators = Object.entries(condition);
  if (operators.length === 0) return undefined;
  let range: Range | undefined;
  for (const [operator, value] of operators) {
    if (!RANGE_OPERATORS.has(operator) || (typeof value === 'number' && Number.isNaN(value))) return undefined;
    const rank = typeRank(value);
    if (!COUNTABLE_RANKS.has(rank) || (range && range.rank !== rank)) return undefined;
    range ??= { path, rank };
    const bound = { value, inclusive: operator.endsWith('e') };
    if (operator.startsWith('$g')) {
      if (!range.lower || compareValues(value, range.lower.value) > 0 || (compareValues(value, range.lower.value) === 0 && !bound.inclusive))
        range.lower = bound;
    } else if (!range.upper || compareValues(value, range.upper.value) < 0 || (compareValues(value, range.upper.value) === 0 && !bound.inclusive)) {
      range.upper = bound;
    }
  }
  return range;
}

/** The equality (or `$in`) values a filter pins each top-level path to. */
function equalityLookups(filter: unknown): (path: string) => unknown[] | undefined {
  if (!isPlainDoc(filter) || Object.keys(filter).length === 0) return () => undefined;
  const eq = equalityFields(filter);
  const inLists = new Map<string, unknown[]>();
  for (const [k, v] of Object.entries(filter)) {
    const list = isPlainDoc(v) ? getField(v, '$in') : undefined;
    if (!k.startsWith('$') && Array.isArray(list) && list.every(indexableValue)) inLists.set(k, list);
  }
  return (path) => {
    if (eq.has(path)) {
      const value = eq.get(path);
      return indexableValue(value) ? [value] : undefined;
    }
    return inLists.get(path);
  };
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
