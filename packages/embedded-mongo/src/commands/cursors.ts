/**
 * Server-side cursors: the remaining documents of a query, handed out by getMore in batches.
 * Idle cursors are reaped by an unref'd sweep timer (default 10 minutes, as mongod).
 */
import { Long, calculateObjectSize } from 'bson';
import { MongoCommandError } from '../errors';
import type { ChangeStreamCursor } from '../changes/stream';
import type { Doc } from '../bson/paths';

const MAX_BATCH_BYTES = 16 * 1024 * 1024 - 64 * 1024;

interface CursorState {
  ns: string;
  docs: Doc[];
  pos: number;
  lastUsed: number;
  project: ((d: Doc) => Doc) | undefined;
}

export interface Batch {
  docs: Doc[];
  id: Long;
}

export class CursorManager {
  private readonly cursors = new Map<string, CursorState>();
  /** Tailable change-stream cursors (same id space). */
  private readonly streams = new Map<string, ChangeStreamCursor>();
  private next = Math.floor(Math.random() * 2 ** 40) + 1;
  private readonly timer: NodeJS.Timeout;
  private readonly timeoutMs: number;

  constructor(timeoutMs = 10 * 60 * 1000) {
    this.timeoutMs = timeoutMs;
    this.timer = setInterval(() => this.reap(), Math.min(60_000, Math.max(1000, timeoutMs / 2)));
    this.timer.unref();
  }

  private reap(): void {
    const cutoff = Date.now() - this.timeoutMs;
    for (const [k, c] of this.cursors) if (c.lastUsed < cutoff) this.cursors.delete(k);
    for (const [k, s] of this.streams) {
      if (s.lastUsed < cutoff && !s.busy) {
        s.kill();
        this.streams.delete(k);
      }
    }
  }

  get size(): number {
    return this.cursors.size + this.streams.size;
  }

  /** Registers a change stream (unless its first batch already closed it); returns its id. */
  openStream(stream: ChangeStreamCursor): Long {
    const id = Long.fromNumber(this.next++);
    this.streams.set(id.toString(), stream);
    return id;
  }

  /** The change stream with this id, checked against the namespace the getMore names. */
  stream(id: Long, ns: string): ChangeStreamCursor | undefined {
    const s = this.streams.get(id.toString());
    if (s && s.ns !== ns) throw new MongoCommandError(13, `Requested getMore on namespace '${ns}', but cursor belongs to a different namespace ${s.ns}`);
    return s;
  }

  private take(cursor: CursorState, batchSize: number | undefined): Doc[] {
    const out: Doc[] = [];
    let bytes = 0;
    const max = batchSize === undefined ? Infinity : batchSize;
    while (cursor.pos < cursor.docs.length && out.length < max) {
      const raw = cursor.docs[cursor.pos] as Doc;
      const doc = cursor.project ? cursor.project(raw) : raw;
      const n = calculateObjectSize(doc);
      if (out.length > 0 && bytes + n > MAX_BATCH_BYTES) break;
      out.push(doc);
      bytes += n;
      cursor.pos++;
    }
    return out;
  }

  /** Returns the first batch; keeps a cursor open if documents remain (and not singleBatch). */
  open(ns: string, docs: Doc[], batchSize: number | undefined, singleBatch: boolean, project?: (d: Doc) => Doc): Batch {
    const cursor: CursorState = { ns, docs, pos: 0, lastUsed: Date.now(), project };
    const first = this.take(cursor, batchSize ?? 101);
    if (batchSize === 0 && docs.length === 0) return { docs: first, id: Long.ZERO };
    if (singleBatch || cursor.pos >= docs.length) return { docs: first, id: Long.ZERO };
    const id = Long.fromNumber(this.next++);
    this.cursors.set(id.toString(), cursor);
    return { docs: first, id };
  }

  getMore(id: Long, ns: string, batchSize: number | undefined): Batch {
    const key = id.toString();
    const cursor = this.cursors.get(key);
    if (!cursor) throw new MongoCommandError(43, `cursor id ${key} not found`);
    if (cursor.ns !== ns) throw new MongoCommandError(13, `Requested getMore on namespace '${ns}', but cursor belongs to a different namespace ${cursor.ns}`);
    cursor.lastUsed = Date.now();
    const docs = this.take(cursor, batchSize && batchSize > 0 ? batchSize : undefined);
    if (cursor.pos >= cursor.docs.length) {
      this.cursors.delete(key);
      return { docs, id: Long.ZERO };
    }
    return { docs, id };
  }

  kill(id: Long): boolean {
    const key = id.toString();
    const s = this.streams.get(key);
    if (s) {
      s.kill();
      this.streams.delete(key);
      return true;
    }
    return this.cursors.delete(key);
  }

  close(): void {
    clearInterval(this.timer);
    this.cursors.clear();
    for (const s of this.streams.values()) s.kill();
    this.streams.clear();
  }
}
