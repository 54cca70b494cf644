/**
 * MongoDB's limits on what a client can make the server hold, with MongoDB's error codes.
 *
 * Nesting matters beyond fidelity: the engine's matcher, sorter and cloner recurse into
 * documents, so a document nested 200,000 levels deep would exhaust the JavaScript stack on
 * every later query. Incoming commands are therefore refused past 200 levels (checked without
 * recursion) and stored documents past 100, which bounds every recursion in the engine.
 */
import { calculateObjectSize } from 'bson';
import { MongoCommandError } from './errors';
import { isPlainDoc } from './bson/paths';
import type { Doc } from './bson/paths';

/** maxBsonObjectSize: the largest document a client may store. */
export const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;
/** Nesting allowed in stored documents (mongod's maxDepthForUserStorage). */
export const MAX_STORAGE_DEPTH = 100;
/** Nesting allowed in any incoming BSON (mongod's maxBSONDepth). */
export const MAX_COMMAND_DEPTH = 200;
/** Default cap on open connections (mongod's maxIncomingConnections). */
export const DEFAULT_MAX_INCOMING_CONNECTIONS = 1000;

/**
 * True when some element sits deeper than `maxLevel`, counting a document's own fields as
 * level 1 (an empty embedded document or array adds no level). Iterative on purpose.
 */
export function nestingExceeds(doc: Doc, maxLevel: number): boolean {
  const stack: { value: unknown; level: number }[] = [{ value: doc, level: 0 }];
  while (stack.length > 0) {
    const { value, level } = stack.pop() as { value: unknown; level: number };
    const children: unknown[] | undefined = Array.isArray(value) ? value : isPlainDoc(value) ? Object.values(value) : undefined;
    if (!children || children.length === 0) continue;
    if (level + 1 > maxLevel) return true;
    for (const child of children) {
      if (Array.isArray(child) || isPlainDoc(child)) stack.push({ value: child, level: level + 1 });
    }
  }
  return false;
}

export function checkCommandDepth(cmd: Doc): void {
  if (nestingExceeds(cmd, MAX_COMMAND_DEPTH)) {
    throw new MongoCommandError(45, `BSONObj exceeded maximum nested object depth: ${MAX_COMMAND_DEPTH}`);
  }
}

/** A new document (insert, or the document an upsert creates). */
export function checkInsertable(doc: Doc): void {
  const size = calculateObjectSize(doc);
  if (size > MAX_BSON_OBJECT_SIZE) {
    throw new MongoCommandError(10334, `object to insert too large. size in bytes: ${size}, max size: ${MAX_BSON_OBJECT_SIZE}`);
  }
  if (nestingExceeds(doc, MAX_STORAGE_DEPTH)) {
    throw new MongoCommandError(45, `cannot insert document because it exceeds ${MAX_STORAGE_DEPTH} levels of nesting`);
  }
}

/** The result of an update or replacement. */
export function checkUpdatable(doc: Doc): void {
  if (calculateObjectSize(doc) > MAX_BSON_OBJECT_SIZE) {
    throw new MongoCommandError(10334, `Resulting document after update is larger than ${MAX_BSON_OBJECT_SIZE}`);
  }
  if (nestingExceeds(doc, MAX_STORAGE_DEPTH)) {
    throw new MongoCommandError(45, `Document exceeds maximum nesting depth of ${MAX_STORAGE_DEPTH}`);
  }
}
