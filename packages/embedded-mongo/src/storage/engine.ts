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
import { canonicalKey, isPlainDoc } from '../query/values';
import type { Doc } from '../query/values';
import { Collection, idKeyOf } from './collection';
import type { IndexSpec } from './collection';
import type { AppliedModifier } from '../query/update';
import { frameRecord } from './records';
import type { Journal } from './journal';

/** Effects of one command, in order. */
export class Effects {
  readonly ops: Doc[] = [];
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
export function keepsImages(c: Collection): boolean {
  const o = c.options.changeStreamPreAndPostImages;
  return isPlainDoc(o) && o.enabled === true;
}

const MAX_RECORD_BYTES = 8 * 1024 * 1024;

export function splitNs(ns: string): [string, string] {
  const i = ns.indexOf('.');
  return [ns.slice(0, i), ns.slice(i + 1)];
}

export function validateCollectionName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) throw new MongoCommandError(73, `Invalid collection name: ${String(name)}`);
  if (name.includes('$') || name.includes('\0')) throw new MongoCommandError(73, `Invalid collection name: ${name}`);
  return name;
}

export class Engine {
  readonly dbs = new Map<string, Map<string, Collection>>();
  journal: Journal | undefined;
  seq = 0;
  /** The change history change streams read (disabled when the engine presents itself standalone). */
  history = new ChangeHistory(false);

  getCollection(db: string, name: string): Collection | undefined {
    return this.dbs.get(db)?.get(name);
  }

  collections(db: string): Collection[] {
    return [...(this.dbs.get(db)?.values() ?? [])];
  }

  createCollection(fx: Effects | null, db: string, name: string, options: Doc = {}): Collection {
    let colls = this.dbs.get(db);
    if (!colls) {
      colls = new Map();
      this.dbs.set(db, colls);
    }
    const existing = colls.get(name);
    if (existing) return existing;
    const c = new Collection(db, name, options);
    colls.set(name, c);
    fx?.ops.push({ o: 'c', ns: c.ns, opts: options });
    return c;
  }

  ensureCollection(fx: Effects | null, db: string, name: string): Collection {
    return this.getCollection(db, name) ?? this.createCollection(fx, db, validateCollectionName(name));
  }

  dropCollection(fx: Effects | null, db: string, name: string): boolean {
    const colls = this.dbs.get(db);
    if (!colls?.has(name)) return false;
    colls.delete(name);
    if (colls.size === 0) this.dbs.delete(db);
    fx?.ops.push({ o: 'D', ns: `${db}.${name}` });
    fx?.record({ kind: 'drop', db, coll: name });
    return true;
  }

  dropDatabase(fx: Effects | null, db: string): void {
    const colls = this.dbs.get(db);
    if (!colls) return;
    // As mongod reports it: each collection's drop, then the database's.
    for (const name of colls.keys()) fx?.record({ kind: 'drop', db, coll: name });
    fx?.record({ kind: 'dropDatabase', db, coll: '' });
    this.dbs.delete(db);
    fx?.ops.push({ o: 'X', db });
  }

  insert(fx: Effects | null, c: Collection, doc: Doc): void {
    checkInsertable(doc);
    if (c.cap) {
      const size = calculateObjectSize(doc);
      if (size > c.cap.bytes) throw new MongoCommandError(116, `document is larger than capped size ${size} > ${c.cap.bytes}`);
    }
    c.checkUnique(idKeyOf(doc), doc, true);
    c.put(doc);
    fx?.ops.push({ o: 'p', ns: c.ns, doc });
    fx?.record({ kind: 'insert', db: c.db, coll: c.name, id: doc._id, post: doc });
    if (c.cap) this.trimCapped(fx, c, c.cap);
  }

  /** A capped collection drops its oldest documents (insertion order) once over its limits. */
  private trimCapped(fx: Effects | null, c: Collection, cap: { bytes: number; docs: number }): void {
    for (const oldest of c.docs.values()) {
      if (c.docs.size <= cap.docs && c.dataBytes <= cap.bytes) break;
      this.remove(fx, c, oldest);
    }
  }

  /** Replaces a collection's options (collMod); the change is logged like a re-create. */
  setOptions(fx: Effects | null, c: Collection, options: Doc): void {
    c.setOptions(options);
    fx?.ops.push({ o: 'O', ns: c.ns, opts: options });
  }

  /** Changes options of an index that do not affect its keys (collMod: TTL, hidden). */
  updateIndexSpec(fx: Effects | null, c: Collection, spec: IndexSpec): void {
    const idx = c.indexes.get(spec.name);
    if (!idx) return;
    Object.assign(idx.spec, spec);
    if (spec.hidden === false) delete idx.spec.hidden;
    fx?.ops.push({ o: 'i', ns: c.ns, spec: idx.spec });
  }

  /**
   * Stores a new version of an existing document. `change` says how it changed, for change
   * streams: a replacement, or an update with the modifiers it applied / from a pipeline.
   */
  replace(
    fx: Effects | null,
    c: Collection,
    doc: Doc,
    change?: { pre: Doc; kind: 'update' | 'replace'; applied?: AppliedModifier[] | undefined; pipeline?: boolean },
  ): void {
    checkUpdatable(doc);
    c.checkUnique(idKeyOf(doc), doc, false);
    c.put(doc);
    fx?.ops.push({ o: 'p', ns: c.ns, doc });
    if (change && fx) {
      fx.record({
        kind: change.kind,
        db: c.db,
        coll: c.name,
        id: doc._id,
        pre: change.pre,
        post: doc,
        applied: change.applied,
        pipeline: change.pipeline === true,
        images: keepsImages(c),
      });
    }
  }

  remove(fx: Effects | null, c: Collection, doc: Doc): void {
    const old = c.removeById(idKeyOf(doc));
    if (!old) return;
    fx?.ops.push({ o: 'd', ns: c.ns, id: doc._id });
    fx?.record({ kind: 'delete', db: c.db, coll: c.name, id: old._id, pre: old, images: keepsImages(c) });
  }

  createIndex(fx: Effects | null, c: Collection, spec: IndexSpec, enforce = true): void {
    c.addIndex(spec, enforce);
    fx?.ops.push({ o: 'i', ns: c.ns, spec });
  }

  dropIndex(fx: Effects | null, c: Collection, name: string): void {
    if (c.indexes.delete(name)) fx?.ops.push({ o: 'x', ns: c.ns, name });
  }

  /** Re-applies a logged/snapshotted op (recovery). Idempotent; skips unique checks. */
  applyOp(op: Doc): void {
    const ns = typeof op.ns === 'string' ? op.ns : '';
    const [db, name] = splitNs(ns);
    switch (op.o) {
      case 'c':
        this.createCollection(null, db, name, isPlainDoc(op.opts) ? op.opts : {});
        break;
      case 'O':
        this.getCollection(db, name)?.setOptions(isPlainDoc(op.opts) ? op.opts : {});
        break;
      case 'D':
        this.dropCollection(null, db, name);
        break;
      case 'X':
        this.dropDatabase(null, String(op.db));
        break;
      case 'i': {
        const c = this.createCollection(null, db, name);
        const spec = op.spec as IndexSpec;
        c.indexes.delete(spec.name);
        c.addIndex(spec, false);
        break;
      }
      case 'x':
        this.getCollection(db, name)?.indexes.delete(String(op.name));
        break;
      case 'p':
        this.createCollection(null, db, name).put(op.doc as Doc);
        break;
      case 'P': {
        const c = this.createCollection(null, db, name);
        for (const d of op.docs as Doc[]) c.put(d);
        break;
      }
      case 'd':
        this.getCollection(db, name)?.removeById(canonicalKey(op.id));
        break;
      default:
        throw new Error(`unknown log op ${String(op.o)}`);
    }
  }

  /**
   * Makes a command's effects durable (no-op in memory mode) and its changes visible to change
   * streams once they are. Call synchronously after mutating.
   */
  commit(fx: Effects): Promise<void> | undefined {
    const staged = fx.changes.length > 0 && this.history.enabled ? this.history.stage(fx.changes) : undefined;
    if (staged) fx.opTime = (staged[staged.length - 1] as { ts: Ts }).ts;
    if (fx.ops.length === 0 || !this.journal) {
      if (staged) this.history.publish(staged);
      return undefined;
    }
    const buffers: Buffer[] = [];
    let batch: Doc[] = [];
    let size = 0;
    const flush = (): void => {
      this.seq += 1;
      buffers.push(frameRecord({ s: this.seq, ops: batch }));
      batch = [];
      size = 0;
    };
    for (const op of fx.ops) {
      const opSize = op.o === 'p' ? calculateObjectSize(op.doc as Doc) + 64 : 256;
      if (batch.length > 0 && size + opSize > MAX_RECORD_BYTES) flush();
      batch.push(op);
      size += opSize;
    }
    if (batch.length > 0) flush();
    const durable = this.journal.append(buffers);
    return staged ? durable.then(() => this.history.publish(staged)) : durable;
  }

  /** Serializes the whole state as framed snapshot records (synchronous, consistent). */
  snapshotBuffers(): { buffers: Buffer[]; seq: number } {
    const seq = this.seq;
    const buffers: Buffer[] = [frameRecord({ snap: 1, s: seq })];
    for (const colls of this.dbs.values()) {
      for (const c of colls.values()) {
        buffers.push(frameRecord({ o: 'c', ns: c.ns, opts: c.options }));
        for (const idx of c.indexes.values()) buffers.push(frameRecord({ o: 'i', ns: c.ns, spec: idx.spec }));
        let chunk: Doc[] = [];
        let size = 0;
        for (const d of c.docs.values()) {
          const n = calculateObjectSize(d);
          if (chunk.length > 0 && size + n > MAX_RECORD_BYTES) {
            buffers.push(frameRecord({ o: 'P', ns: c.ns, docs: chunk }));
            chunk = [];
            size = 0;
          }
          chunk.push(d);
          size += n + 16;
        }
        if (chunk.length > 0) buffers.push(frameRecord({ o: 'P', ns: c.ns, docs: chunk }));
      }
    }
    buffers.push(frameRecord({ end: 1, s: seq }));
    return { buffers, seq };
  }
}
