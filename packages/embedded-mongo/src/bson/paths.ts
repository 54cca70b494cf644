/**
 * Field and path primitives for documents whose field names come from clients.
 *
 * Every field name is data: `__proto__`, `constructor` or `toString` are ordinary MongoDB field
 * names. So a lookup only ever sees a document's own properties (never one inherited from
 * `Object.prototype`), and a write always creates an own data property — plain assignment of
 * `__proto__` would instead replace the object's prototype, and walking into an inherited
 * `__proto__` would reach `Object.prototype` itself. Everything in the engine that reads or
 * writes a field by a client-supplied name goes through here.
 */
import type { Document } from 'bson';

export type Doc = Document;

/**
 * An embedded document: a plain object (the BSON deserializer makes ordinary `{}` objects; the
 * engine may make null-prototype ones). BSON values, arrays, Dates, RegExps and buffers are
 * class instances and so are not documents; neither is `Object.prototype` itself.
 */
export function isPlainDoc(value: unknown): value is Doc {
  if (typeof value !== 'object' || value === null || value === Object.prototype) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function hasField(doc: object, name: string): boolean {
  return Object.hasOwn(doc, name);
}

/** The document's own value for `name`, or undefined. */
export function getField(doc: Doc, name: string): unknown {
  return Object.hasOwn(doc, name) ? doc[name] : undefined;
}

/** Creates or overwrites the own field `name` (also when it is `__proto__`). */
export function setField(doc: Doc, name: string, value: unknown): void {
  if (name === '__proto__') {
    Object.defineProperty(doc, name, { value, writable: true, enumerable: true, configurable: true });
  } else {
    doc[name] = value;
  }
}

export function deleteField(doc: Doc, name: string): void {
  if (Object.hasOwn(doc, name)) Reflect.deleteProperty(doc, name);
}

export function splitPath(path: string): string[] {
  return path.split('.');
}

/** A path segment that addresses an array element (`a.0.b`). */
export function isIndexSegment(segment: string): boolean {
  return /^\d+$/.test(segment);
}

/** An array's element for an index segment; undefined for any other segment. */
export function getElement(arr: readonly unknown[], segment: string): unknown {
  return isIndexSegment(segment) ? arr[Number(segment)] : undefined;
}

/** Plain (non-expanding) path read: `a.0.b` indexes arrays; returns undefined when missing. */
export function getPath(doc: unknown, parts: readonly string[]): unknown {
  let cur: unknown = doc;
  for (const p of parts) {
    if (Array.isArray(cur)) cur = getElement(cur, p);
    else if (isPlainDoc(cur)) cur = getField(cur, p);
    else return undefined;
  }
  return cur;
}

/**
 * All values a path reaches with MongoDB's implicit array traversal (for index keys and
 * sort keys). Leaf arrays are returned as arrays; callers decide whether to expand them.
 */
export function pathValues(doc: unknown, parts: readonly string[], index = 0, out: unknown[] = []): unknown[] {
  if (index === parts.length) {
    out.push(doc);
    return out;
  }
  const key = parts[index] as string;
  if (Array.isArray(doc)) {
    if (isIndexSegment(key)) {
      const element: unknown = doc[Number(key)];
      if (element !== undefined) pathValues(element, parts, index + 1, out);
      return out;
    }
    for (const element of doc) if (isPlainDoc(element)) pathValues(element, parts, index, out);
    return out;
  }
  if (isPlainDoc(doc)) {
    const value = getField(doc, key);
    if (value === undefined) return out;
    return pathValues(value, parts, index + 1, out);
  }
  return out;
}
