/**
 * The operations the journal and the snapshot store: idempotent effects ("put this whole
 * document", "delete this _id", create/drop a collection or an index, drop a database) that
 * rebuild the engine's state when replayed in order.
 *
 * On disk an operation is a BSON document whose `o` field is a one-character code. Those codes are
 * the stored format — journals and snapshots written by every earlier version hold them — so they
 * are kept as they are and this is the only module that spells them: everything else builds
 * operations with `journalOp.*` and tells them apart with `OP.*`.
 */
import type { Document } from 'bson';
import type { Doc } from '../bson/paths';
import type { IndexSpec } from './collection';

/** The stored code of each operation (case alone separates some: never compare with literals elsewhere). */
export const OP = {
  createCollection: 'c',
  setCollectionOptions: 'O',
  dropCollection: 'D',
  dropDatabase: 'X',
  putIndex: 'i',
  dropIndex: 'x',
  putDocument: 'p',
  /** A chunk of a collection's documents (snapshots only). */
  putDocuments: 'P',
  deleteDocument: 'd',
} as const;

export type JournalOp =
  | { o: typeof OP.createCollection; ns: string; opts: Doc }
  | { o: typeof OP.setCollectionOptions; ns: string; opts: Doc }
  | { o: typeof OP.dropCollection; ns: string }
  | { o: typeof OP.dropDatabase; db: string }
  | { o: typeof OP.putIndex; ns: string; spec: IndexSpec }
  | { o: typeof OP.dropIndex; ns: string; name: string }
  | { o: typeof OP.putDocument; ns: string; doc: Doc }
  | { o: typeof OP.putDocuments; ns: string; docs: Doc[] }
  | { o: typeof OP.deleteDocument; ns: string; id: unknown };

/** Builds each operation in its stored shape. */
export const journalOp = {
  createCollection: (ns: string, options: Doc): JournalOp => ({ o: OP.createCollection, ns, opts: options }),
  setCollectionOptions: (ns: string, options: Doc): JournalOp => ({ o: OP.setCollectionOptions, ns, opts: options }),
  dropCollection: (ns: string): JournalOp => ({ o: OP.dropCollection, ns }),
  dropDatabase: (db: string): JournalOp => ({ o: OP.dropDatabase, db }),
  putIndex: (ns: string, spec: IndexSpec): JournalOp => ({ o: OP.putIndex, ns, spec }),
  dropIndex: (ns: string, name: string): JournalOp => ({ o: OP.dropIndex, ns, name }),
  putDocument: (ns: string, doc: Doc): JournalOp => ({ o: OP.putDocument, ns, doc }),
  putDocuments: (ns: string, docs: Doc[]): JournalOp => ({ o: OP.putDocuments, ns, docs }),
  deleteDocument: (ns: string, id: unknown): JournalOp => ({ o: OP.deleteDocument, ns, id }),
};

const STORED_CODES = new Set<string>(Object.values(OP));

/**
 * Reads an operation back from a decoded record. The fields are the ones this module wrote; an
 * unknown code means the file was written by something else, which recovery must not guess at.
 */
export function readJournalOp(stored: Document): JournalOp {
  if (typeof stored.o !== 'string' || !STORED_CODES.has(stored.o)) throw new Error(`unknown journal operation ${String(stored.o)}`);
  return stored as JournalOp;
}

/** Approximate stored size of an operation, for splitting a command's operations into records. */
export function estimatedOpBytes(operation: JournalOp, documentBytes: (doc: Doc) => number): number {
  return operation.o === OP.putDocument ? documentBytes(operation.doc) + 64 : 256;
}
