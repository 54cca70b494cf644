/**
 * DBRef-shaped values (`{$ref, $id, $db?, ...}`) are ordinary embedded documents to MongoDB:
 * queried by path (`'owner.$id'`), matched field by field, returned as stored. The `bson` package
 * decodes them into `DBRef` class instances, which would hide their fields from every path, so
 * documents are turned back into plain ones as they arrive (from the wire and from disk). Clients
 * still get DBRefs: the plain document encodes to the same bytes.
 */
import type { DBRef } from 'bson';
import { isPlainDoc, setField } from './paths';
import type { Doc } from './paths';
import { bsonType } from './values';

/** The element name `$ref` as encoded in BSON: only a buffer holding it can decode to a DBRef. */
const REF_FIELD_NAME = Buffer.from('$ref\0', 'latin1');

export function mayHoldDbRefs(bson: Buffer): boolean {
  return bson.includes(REF_FIELD_NAME);
}

/** Replaces every DBRef instance in a freshly decoded value with the plain document it was (in place). */
export function withPlainDbRefs<T>(value: T): T {
  return plainDbRefs(value) as T;
}

function plainDbRefs(value: unknown): unknown {
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) value[index] = plainDbRefs(value[index]);
    return value;
  }
  if (bsonType(value) === 'DBRef') return plainDocumentOf(value as DBRef);
  if (isPlainDoc(value)) {
    for (const key of Object.keys(value)) setField(value, key, plainDbRefs(value[key]));
  }
  return value;
}

function plainDocumentOf(ref: DBRef): Doc {
  const doc: Doc = { $ref: ref.collection, $id: plainDbRefs(ref.oid) };
  if (ref.db) doc.$db = ref.db;
  for (const key of Object.keys(ref.fields)) setField(doc, key, plainDbRefs(ref.fields[key]));
  return doc;
}

/**
 * mongod's test for a document that names a DBRef rather than query operators: `$ref` and `$id`
 * both present, or (inside `$elemMatch`, where a lone `$id` is a field) any of `$ref`, `$id`, `$db`.
 */
export function isDbRefDocument(doc: Doc, allowIncomplete: boolean): boolean {
  const hasRef = Object.hasOwn(doc, '$ref');
  const hasId = Object.hasOwn(doc, '$id');
  if (allowIncomplete) return hasRef || hasId || Object.hasOwn(doc, '$db');
  return hasRef && hasId;
}
