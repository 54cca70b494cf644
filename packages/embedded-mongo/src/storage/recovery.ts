/**
 * Between the engine and its journal: opening a durable engine replays the snapshot and the log
 * into it, and compaction reads the engine's state back as operations. Kept apart from both so
 * that the engine only writes operations and the journal only stores them.
 */
import { calculateObjectSize } from 'bson';
import type { ChangeHistory } from '../changes/history';
import type { Logger } from '../logger';
import { canonicalKey } from '../bson/keys';
import type { Doc } from '../bson/paths';
import { Engine, MAX_RECORD_BYTES, splitNs } from './engine';
import { Journal } from './journal';
import { OP, journalOp } from './journal-ops';
import type { JournalOp } from './journal-ops';

export interface EngineOptions {
  history: ChangeHistory;
  logger: Logger;
  /** Directory for the journal and snapshot; omitted = in memory only. */
  dbPath?: string | undefined;
  compactThresholdBytes: number;
}

/** An engine, with its state recovered from `dbPath` (and every later commit journaled there) when given. */
export async function openEngine(options: EngineOptions): Promise<Engine> {
  const engine = new Engine(options.history);
  if (options.dbPath) {
    const journal = await Journal.open(options.dbPath, {
      logger: options.logger,
      compactThresholdBytes: options.compactThresholdBytes,
      replay: (op) => replayOp(engine, op),
      snapshot: () => snapshotOps(engine),
    });
    engine.useJournal(journal);
  }
  return engine;
}

/** Re-applies a journaled or snapshotted operation. Idempotent; skips unique checks. */
export function replayOp(engine: Engine, operation: JournalOp): void {
  if (operation.o === OP.dropDatabase) {
    engine.dropDatabase(null, operation.db);
    return;
  }
  const [db, name] = splitNs(operation.ns);
  switch (operation.o) {
    case OP.createCollection:
      engine.createCollection(null, db, name, operation.opts);
      break;
    case OP.setCollectionOptions:
      engine.getCollection(db, name)?.setOptions(operation.opts);
      break;
    case OP.dropCollection:
      engine.dropCollection(null, db, name);
      break;
    case OP.putIndex: {
      const coll = engine.createCollection(null, db, name);
      coll.indexes.delete(operation.spec.name);
      coll.addIndex(operation.spec, false);
      break;
    }
    case OP.dropIndex:
      engine.getCollection(db, name)?.indexes.delete(operation.name);
      break;
    case OP.putDocument:
      engine.createCollection(null, db, name).put(operation.doc);
      break;
    case OP.putDocuments: {
      const coll = engine.createCollection(null, db, name);
      for (const doc of operation.docs) coll.put(doc);
      break;
    }
    case OP.deleteDocument:
      engine.getCollection(db, name)?.removeById(canonicalKey(operation.id));
      break;
  }
}

/** The engine's whole state as operations: each collection, its indexes, its documents in chunks. */
export function* snapshotOps(engine: Engine): Generator<JournalOp> {
  for (const coll of engine.allCollections()) {
    yield journalOp.createCollection(coll.ns, coll.options);
    for (const index of coll.indexes.values()) yield journalOp.putIndex(coll.ns, index.spec);
    let chunk: Doc[] = [];
    let size = 0;
    for (const doc of coll.docs.values()) {
      const docSize = calculateObjectSize(doc);
      if (chunk.length > 0 && size + docSize > MAX_RECORD_BYTES) {
        yield journalOp.putDocuments(coll.ns, chunk);
        chunk = [];
        size = 0;
      }
      chunk.push(doc);
      size += docSize + 16;
    }
    if (chunk.length > 0) yield journalOp.putDocuments(coll.ns, chunk);
  }
}
