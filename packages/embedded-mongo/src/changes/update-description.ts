/**
 * `updateDescription` of an update event, as MongoDB (5.0+) computes it: from the delta it logs
 * for the update, read back in the order its change-stream parser reads a delta.
 *
 * - Operator updates log what each modifier did at the path it was applied to: an existing
 *   field that changed is updated with its whole new value (`$set: {a: {x: 1}}` → `a`), a field
 *   created under a missing parent is logged at the first missing component (`$set: {'a.b.c':
 *   1}` without `a.b` → `'a.b': {c: 1}`), a removed field is listed in `removedFields`, an
 *   unchanged one is not logged. `$push` that only appends to a non-empty array (no `$sort`, no
 *   `$position` inside it, nothing sliced off) logs each new element (`'arr.3'`); every other
 *   array modifier (`$pull`, `$pop`, `$addToSet`, a sorted or sliced `$push`, …) logs the whole
 *   array. `$rename` removes the source and sets the destination. Operator updates never
 *   produce `truncatedArrays`.
 * - Pipeline updates log a document diff (mongod's doc_diff): fields compared in order,
 *   sub-documents and arrays diffed recursively unless the sub-diff would be larger than the
 *   value, arrays that shrank reported in `truncatedArrays`. When the whole diff would be at
 *   least as large as the new document, mongod logs a replacement, and the event is a
 *   `replace`. Sizes are the BSON sizes of the diff as mongod serialises it ($v: 2 format).
 */
import { calculateObjectSize } from 'bson';
import type { AppliedModifier } from '../update/update';
import { getElement, getField, hasField, isIndexSegment, isPlainDoc } from '../bson/paths';
import { isNumeric, toNumber } from '../bson/values';
import { sameValue } from '../bson/compare';
import type { Doc } from '../bson/paths';

export interface UpdateDescription {
  updatedFields: Doc;
  removedFields: string[];
  truncatedArrays: { field: string; newSize: number }[];
}

/** One level of a delta: a document (updates, inserts, deletes, sub-diffs) or an array. */
interface DiffNode {
  array: boolean;
  updates: Map<string, unknown>;
  inserts: Map<string, unknown>;
  deletes: string[];
  subs: Map<string, DiffNode>;
  /** Arrays: the new length when the array shrank. */
  resize?: number;
}

const MISSING = Symbol('missing');

function node(array: boolean): DiffNode {
  return { array, updates: new Map(), inserts: new Map(), deletes: [], subs: new Map() };
}

function child(container: unknown, segment: string): unknown {
  if (Array.isArray(container)) {
    if (!isIndexSegment(segment)) return MISSING;
    const i = Number(segment);
    return i < container.length ? getElement(container, segment) : MISSING;
  }
  if (isPlainDoc(container) && hasField(container, segment)) return getField(container, segment);
  return MISSING;
}

function valueAt(doc: Doc, parts: readonly string[]): unknown {
  let cur: unknown = doc;
  for (const p of parts) {
    cur = child(cur, p);
    if (cur === MISSING) return MISSING;
  }
  return cur;
}

/** Adds a logged change at `parts`; levels below an already logged value are covered by it. */
function addLeaf(root: DiffNode, post: Doc, parts: readonly string[], kind: 'u' | 'i' | 'd', value?: unknown): void {
  let n = root;
  let cur: unknown = post;
  for (let j = 0; j < parts.length - 1; j++) {
    const seg = parts[j] as string;
    if (n.updates.has(seg) || n.inserts.has(seg)) return;
    cur = child(cur, seg);
    let sub = n.subs.get(seg);
    if (!sub) {
      sub = node(Array.isArray(cur));
      n.subs.set(seg, sub);
    }
    n = sub;
  }
  const last = parts[parts.length - 1] as string;
  if (n.updates.has(last) || n.inserts.has(last) || n.deletes.includes(last)) return;
  n.subs.delete(last);
  // Array elements are only ever updated in a delta (a created element is an update at its index).
  if (kind === 'd') n.deletes.push(last);
  else if (kind === 'i' && !n.array) n.inserts.set(last, value);
  else n.updates.set(last, value);
}

/** What one modifier did at one concrete path, judged from the documents before and after. */
function logPath(root: DiffNode, pre: Doc, post: Doc, parts: readonly string[]): void {
  let cur: unknown = pre;
  for (let j = 0; j < parts.length; j++) {
    cur = child(cur, parts[j] as string);
    if (cur === MISSING) {
      // Created: logged at the first component that did not exist, with its final value.
      const created = parts.slice(0, j + 1);
      const value = valueAt(post, created);
      if (value !== MISSING) addLeaf(root, post, created, 'i', value);
      return;
    }
  }
  const after = valueAt(post, parts);
  if (after === MISSING) addLeaf(root, post, parts, 'd');
  else if (!sameValue(cur, after)) addLeaf(root, post, parts, 'u', after);
}

/** `$push` that only appended to a non-empty array logs each appended element. */
function logAppend(root: DiffNode, pre: Doc, post: Doc, parts: readonly string[], arg: unknown): boolean {
  const before = valueAt(pre, parts);
  const after = valueAt(post, parts);
  if (!Array.isArray(before) || before.length === 0 || !Array.isArray(after)) return false;
  let pushed = 1;
  if (isPlainDoc(arg) && hasField(arg, '$each')) {
    const each = getField(arg, '$each');
    if (!Array.isArray(each) || each.length === 0 || hasField(arg, '$sort')) return false;
    const position = getField(arg, '$position');
    // mongod appends only when the position is past the end (equal to the length inserts).
    if (position !== undefined && !(isNumeric(position) && toNumber(position) > before.length)) return false;
    pushed = each.length;
  }
  if (after.length !== before.length + pushed) return false;
  for (let i = before.length; i < after.length; i++) addLeaf(root, post, [...parts, String(i)], 'u', after[i]);
  return true;
}

function fromModifiers(applied: AppliedModifier[], pre: Doc, post: Doc): DiffNode {
  const root = node(false);
  for (const m of applied) {
    if (m.op === '$setOnInsert') continue;
    for (const parts of m.paths) {
      if (m.op === '$push' && logAppend(root, pre, post, parts, m.arg)) continue;
      logPath(root, pre, post, parts);
    }
    if (m.to) logPath(root, pre, post, m.to);
  }
  return root;
}

// ---- pipeline updates: mongod's document diff ----

function serialize(node: DiffNode): Doc {
  const out: Doc = {};
  if (node.array) {
    out.a = true;
    if (node.resize !== undefined) out.l = node.resize;
    for (const [k, v] of node.updates) out[`u${k}`] = v;
    for (const [k, s] of node.subs) out[`s${k}`] = serialize(s);
    return out;
  }
  if (node.deletes.length) out.d = Object.fromEntries(node.deletes.map((k) => [k, false]));
  if (node.updates.size) out.u = Object.fromEntries(node.updates);
  if (node.inserts.size) out.i = Object.fromEntries(node.inserts);
  for (const [k, s] of node.subs) out[`s${k}`] = serialize(s);
  return out;
}

function bsonSize(value: unknown): number {
  const doc = Array.isArray(value) ? Object.fromEntries(value.map((e, i) => [String(i), e])) : (value as Doc);
  return calculateObjectSize(doc);
}

/** A sub-diff, or the whole new value when the sub-diff would not be smaller than it. */
function subDiff(parent: DiffNode, key: string, before: unknown, after: unknown): void {
  const sub = Array.isArray(before) ? diffArray(before, after as unknown[]) : diffDocument(before as Doc, after as Doc);
  if (sub) parent.subs.set(key, sub);
  else parent.updates.set(key, after);
}

function sameKind(left: unknown, right: unknown): boolean {
  return (Array.isArray(left) && Array.isArray(right)) || (isPlainDoc(left) && isPlainDoc(right) && !Array.isArray(left) && !Array.isArray(right));
}

function diffArray(before: unknown[], after: unknown[]): DiffNode | undefined {
  const n = node(true);
  const common = Math.min(before.length, after.length);
  for (let i = 0; i < common; i++) {
    if (sameValue(before[i], after[i])) continue;
    if (sameKind(before[i], after[i])) subDiff(n, String(i), before[i], after[i]);
    else n.updates.set(String(i), after[i]);
  }
  for (let i = common; i < after.length; i++) n.updates.set(String(i), after[i]);
  if (before.length > after.length) n.resize = after.length;
  return bsonSize(serialize(n)) < bsonSize(after) ? n : undefined;
}

function diffDocument(before: Doc, after: Doc): DiffNode | undefined {
  const n = node(false);
  const preKeys = Object.keys(before);
  const postKeys = Object.keys(after);
  const moved = new Set<string>();
  let i = 0;
  let j = 0;
  while (i < preKeys.length && j < postKeys.length) {
    const pk = preKeys[i] as string;
    const qk = postKeys[j] as string;
    const pv = getField(before, pk);
    if (pk === qk) {
      const qv = getField(after, qk);
      if (!sameValue(pv, qv)) {
        if (sameKind(pv, qv)) subDiff(n, pk, pv, qv);
        else n.updates.set(pk, qv);
      }
      i++;
      j++;
    } else {
      // Gone from here: deleted, unless it reappears later (then it is inserted there).
      moved.add(pk);
      i++;
    }
  }
  for (; i < preKeys.length; i++) n.deletes.push(preKeys[i] as string);
  for (; j < postKeys.length; j++) {
    const key = postKeys[j] as string;
    n.inserts.set(key, getField(after, key));
    moved.delete(key);
  }
  for (const key of [...moved].sort()) n.deletes.push(key);
  return bsonSize(serialize(n)) < bsonSize(after) ? n : undefined;
}

function toUpdateDescription(root: DiffNode): UpdateDescription {
  const out: UpdateDescription = { updatedFields: {}, removedFields: [], truncatedArrays: [] };
  const walk = (node: DiffNode, prefix: string): void => {
    const path = (k: string): string => (prefix ? `${prefix}.${k}` : k);
    if (node.array) {
      if (node.resize !== undefined) out.truncatedArrays.push({ field: prefix, newSize: node.resize });
      const indexes = [...new Set([...node.updates.keys(), ...node.subs.keys()])].sort((a, b) => Number(a) - Number(b));
      for (const key of indexes) {
        const sub = node.subs.get(key);
        if (sub) walk(sub, path(key));
        else out.updatedFields[path(key)] = node.updates.get(key);
      }
      return;
    }
    for (const [k, v] of node.updates) out.updatedFields[path(k)] = v;
    for (const [k, v] of node.inserts) out.updatedFields[path(k)] = v;
    for (const key of node.deletes) out.removedFields.push(path(key));
    for (const [k, sub] of node.subs) walk(sub, path(k));
  };
  walk(root, '');
  return out;
}

/**
 * The description of an update; `undefined` when mongod would have logged the update as a
 * replacement (a pipeline update whose diff is not smaller than the new document).
 */
export function updateDescription(pre: Doc, post: Doc, applied: AppliedModifier[] | undefined, pipeline: boolean): UpdateDescription | undefined {
  if (pipeline || !applied) {
    const diff = diffDocument(pre, post);
    return diff ? toUpdateDescription(diff) : undefined;
  }
  return toUpdateDescription(fromModifiers(applied, pre, post));
}
