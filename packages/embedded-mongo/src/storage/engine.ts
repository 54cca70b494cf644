/**
 * The storage engine: databases -> collections, every mutation funnelled through methods that
 * also record an idempotent effect op ("put this whole document", "delete this _id", ...) and,
 * for change streams, what changed (see ../changes/history). A command applies its effects in
 * memory synchronously, then `commit()`s them: with a dbPath the ops go to the append-only log
 * (group-committed, fsynced) before the reply is sent, and the changes become visible to change
 * streams once that record is durable.
 */
import { calculateObjectSize } from 'bson';
import { ChangeHistory } from '../changes/history';
import type { ChangeRecord, Ts } from '../changes/history';
import { MongoCommandError } from '../errors';
import { checkInsertable, checkUpdatable } from '../limits';
import { isPlainDoc } from '../bson/paths';
import type { Doc } from '../bson/paths';
import { Collection, idKeyOf } from './collection';
import type { IndexSpec } from './collection';
import type { AppliedModifier } from '../update/update';
import type { Journal, JournalStats } from './journal';
import { estimatedOpBytes, journalOp } from './journal-ops';
import type { JournalOp } from './journal-ops';

/** Effects of one command, in order. */
export class Effects {
  readonly ops: JournalOp[] = [];
  /** What changed, for change streams (document writes, drops, renames). */
  readonly changes: ChangeRecord[] = [];
  /** Suppresses document and drop events (renameCollection copies documents and reports a rename). */
  quiet = false;
  /** Cluster time of the command's last change, once committed (its reply's operationTime). */
  opTime: Ts | undefined;

  record(change: ChangeRecord): void {
    if (!this.quiet) this.changes.push(change);
  }
}

/** Whether a collection keeps pre- and post-images for change streams. */
export function keepsImages(coll: Collection): boolean {
  const option = coll.options.changeStreamPreAndPostImages;
  return isPlainDoc(option) && option.enabled === true;
}

/** A command's operations are split into records of about this size at most. */
export const MAX_RECORD_BYTES = 8 * 1024 * 1024;

export function splitNs(ns: string): [string, string] {
  const dot = ns.indexOf('.');
  return [ns.slice(0, dot), ns.slice(dot + 1)];
}

export function validateCollectionName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) throw new MongoCommandError(73, `Invalid collection name: ${String(name)}`);
  if (name.includes('$') || name.includes('\0')) throw new MongoCommandError(73, `Invalid collection name: ${name}`);
  return name;
}

export class Engine {
  private readonly databases = new Map<string, Map<string, Collection>>();
  /** Where commits go once recovery is done (none in memory mode). */
  private journal: Journal | undefined;
  /** The change history change streams read (disabled when the engine presents itself standalone). */
  readonly history: ChangeHistory;

  constructor(history = new ChangeHistory(false)) {
    this.history = history;
  }

  /** Sends every later commit to `journal`; called once, after recovery replayed it into this engine. */
  useJournal(journal: Journal): void {
    if (this.journal) throw new Error('the engine already has a journal');
    this.journal = journal;
  }

  getCollection(db: string, name: string): Collection | undefined {
    return this.databases.get(db)?.get(name);
  }

  collections(db: string): Collection[] {
    return [...(this.databases.get(db)?.values() ?? [])];
  }

  databaseNames(): string[] {
    return [...this.databases.keys()];
  }

  /** Every collection of every database. */
  *allCollections(): IterableIterator<Collection> {
    for (const colls of this.databases.values()) yield* colls.values();
  }

  createCollection(effects: Effects | null, db: string, name: string, options: Doc = {}): Collection {
    let colls = this.databases.get(db);
    if (!colls) {
      colls = new Map();
      this.databases.set(db, colls);
    }
    const existing = colls.get(name);
    if (existing) return existing;
    const coll = new Collection(db, name, options);
    colls.set(name, coll);
    effects?.ops.push(journalOp.createCollection(coll.ns, options));
    return coll;
  }

  ensureCollection(effects: Effects | null, db: string, name: string): Collection {
    return this.getCollection(db, name) ?? this.createCollection(effects, db, validateCollectionName(name));
  }

  dropCollection(effects: Effects | null, db: string, name: string): boolean {
    const colls = this.databases.get(db);
    if (!colls?.has(name)) return false;
    colls.delete(name);
    if (colls.size === 0) this.databases.delete(db);
    effects?.ops.push(journalOp.dropCollection(`${db}.${name}`));
    effects?.record({ kind: 'drop', db, coll: name });
    return true;
  }

  dropDatabase(effects: Effects | null, db: string): void {
    const colls = this.databases.get(db);
    if (!colls) return;
    // As mongod reports it: each collection's drop, then the database's.
    for (const name of colls.keys()) effects?.record({ kind: 'drop', db, coll: name });
    effects?.record({ kind: 'dropDatabase', db, coll: '' });
    this.databases.delete(db);
    effects?.ops.push(journalOp.dropDatabase(db));
  }

  insert(effects: Effects | null, coll: Collection, doc: Doc): void {
    checkInsertable(doc);
    if (coll.cap) {
      const size = calculateObjectSize(doc);
      if (size > coll.cap.bytes) throw new MongoCommandError(116, `document is larger than capped size ${size} > ${coll.cap.bytes}`);
    }
    coll.checkUnique(idKeyOf(doc), doc, true);
    coll.put(doc);
    effects?.ops.push(journalOp.putDocument(coll.ns, doc));
    effects?.record({ kind: 'insert', db: coll.db, coll: coll.name, id: doc._id, post: doc });
    if (coll.cap) this.trimCapped(effects, coll, coll.cap);
  }

  /** A capped collection drops its oldest documents (insertion order) once over its limits. */
  private trimCapped(effects: Effects | null, coll: Collection, cap: { bytes: number; docs: number }): void {
    for (const oldest of coll.docs.values()) {
      if (coll.docs.size <= cap.docs && coll.dataBytes <= cap.bytes) break;
      this.remove(effects, coll, oldest);
    }
  }

  /** Replaces a collection's options (collMod); the change is logged like a re-create. */
  setOptions(effects: Effects | null, coll: Collection, options: Doc): void {
    coll.setOptions(options);
    effects?.ops.push(journalOp.setCollectionOptions(coll.ns, options));
  }

  /** Changes options of an index that do not affect its keys (collMod: TTL, hidden). */
  updateIndexSpec(effects: Effects | null, coll: Collection, spec: IndexSpec): void {
    const index = coll.indexes.get(spec.name);
    if (!index) return;
    Object.assign(index.spec, spec);
    if (spec.hidden === false) delete index.spec.hidden;
    effects?.ops.push(journalOp.putIndex(coll.ns, index.spec));
  }

  /**
   * Stores a new version of an existing document. `change` says how it changed, for change
   * streams: a replacement, or an update with the modifiers it applied / from a pipeline.
   */
  replace(
    effects: Effects | null,
    coll: Collection,
    doc: Doc,
    change?: { pre: Doc; kind: 'update' | 'replace'; applied?: AppliedModifier[] | undefined; pipeline?: boolean },
  ): void {
    checkUpdatable(doc);
    coll.checkUnique(idKeyOf(doc), doc, false);
    coll.put(doc);
    effects?.ops.push(journalOp.putDocument(coll.ns, doc));
    if (change && effects) {
      effects.record({
        kind: change.kind,
        db: coll.db,
        coll: coll.name,
        id: doc._id,
        pre: change.pre,
        post: doc,
        applied: change.applied,
        pipeline: change.pipeline === true,
        images: keepsImages(coll),
      });
    }
  }

  remove(effects: Effects | null, coll: Collection, doc: Doc): void {
    const old = coll.removeById(idKeyOf(doc));
    if (!old) return;
    effects?.ops.push(journalOp.deleteDocument(coll.ns, doc._id));
    effects?.record({ kind: 'delete', db: coll.db, coll: coll.name, id: old._id, pre: old, images: keepsImages(coll) });
  }

  createIndex(effects: Effects | null, coll: Collection, spec: IndexSpec, enforce = true): void {
    coll.addIndex(spec, enforce);
    effects?.ops.push(journalOp.putIndex(coll.ns, spec));
  }

  dropIndex(effects: Effects | null, coll: Collection, name: string): void {
    if (coll.indexes.delete(name)) effects?.ops.push(journalOp.dropIndex(coll.ns, name));
  }

  /**
   * Makes a command's effects durable (no-op in memory mode) and its changes visible to change
   * streams once they are. Call synchronously after mutating.
   */
  commit(effects: Effects): Promise<void> | undefined {
    const staged = effects.changes.length > 0 && this.history.enabled ? this.history.stage(effects.changes) : undefined;
    if (staged) effects.opTime = (staged[staged.length - 1] as { ts: Ts }).ts;
    if (effects.ops.length === 0 || !this.journal) {
      if (staged) this.history.publish(staged);
      return undefined;
    }
    const durable = this.journal.append(splitIntoRecords(effects.ops));
    return staged ? durable.then(() => this.history.publish(staged)) : durable;
  }

  /** Stops journaling: waits for what is queued, then closes the log and releases the dbPath. */
  async close(): Promise<void> {
    await this.journal?.close();
  }

  /** Compacts the journal into a snapshot now (no-op in memory mode). */
  async compact(): Promise<void> {
    await this.journal?.compact();
  }

  journalStats(): JournalStats | undefined {
    return this.journal ? { ...this.journal.stats } : undefined;
  }
}

/** A command's operations as journal records, each at most about MAX_RECORD_BYTES. */
function splitIntoRecords(ops: JournalOp[]): JournalOp[][] {
  const records: JournalOp[][] = [];
  let record: JournalOp[] = [];
  let size = 0;
  for (const operation of ops) {
    const opSize = estimatedOpBytes(operation, calculateObjectSize);
    if (record.length > 0 && size + opSize > MAX_RECORD_BYTES) {
      records.push(record);
      record = [];
      size = 0;
    }
    record.push(operation);
    size += opSize;
  }
  if (record.length > 0) records.push(record);
  return records;
}
