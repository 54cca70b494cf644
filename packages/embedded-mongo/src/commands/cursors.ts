/**
 * Server-side cursors: the remaining documents of a query, handed out by getMore in batches.
 * Idle cursors are reaped by an unref'd sweep timer (default 10 minutes, as mongod).
 */
import { Long, calculateObjectSize } from 'bson';
import { MongoCommandError } from '../errors';
import type { Doc } from '../query/values';

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
  }

  get size(): number {
    return this.cursors.size;
  }

  private take(c: CursorState, batchSize: number | undefined): Doc[] {
    const out: Doc[] = [];
    let bytes = 0;
    const max = batchSize === undefined ? Infinity : batchSize;
    while (c.pos < c.docs.length && out.length < max) {
      const raw = c.docs[c.pos] as Doc;
      const d = c.project ? c.project(raw) : raw;
      const n = calculateObjectSize(d);
      if (out.length > 0 && bytes + n > MAX_BATCH_BYTES) break;
      out.push(d);
      bytes += n;
      c.pos++;
    }
    return out;
  }

  /** Returns the first batch; keeps a cursor open if documents remain (and not singleBatch). */
  open(ns: string, docs: Doc[], batchSize: number | undefined, singleBatch: boolean, project?: (d: Doc) => Doc): Batch {
    const c: CursorState = { ns, docs, pos: 0, lastUsed: Date.now(), project };
    const first = this.take(c, batchSize ?? 101);
    if (batchSize === 0 && docs.length === 0) return { docs: first, id: Long.ZERO };
    if (singleBatch || c.pos >= docs.length) return { docs: first, id: Long.ZERO };
    const id = Long.fromNumber(this.next++);
    this.cursors.set(id.toString(), c);
    return { docs: first, id };
  }

  getMore(id: Long, ns: string, batchSize: number | undefined): Batch {
    const key = id.toString();
    const c = this.cursors.get(key);
    if (!c) throw new MongoCommandError(43, `cursor id ${key} not found`);
    if (c.ns !== ns) throw new MongoCommandError(13, `Requested getMore on namespace '${ns}', but cursor belongs to a different namespace ${c.ns}`);
    c.lastUsed = Date.now();
    const docs = this.take(c, batchSize && batchSize > 0 ? batchSize : undefined);
    if (c.pos >= c.docs.length) {
      this.cursors.delete(key);
      return { docs, id: Long.ZERO };
    }
    return { docs, id };
  }

  kill(id: Long): boolean {
    return this.cursors.delete(id.toString());
  }

  close(): void {
    clearInterval(this.timer);
    this.cursors.clear();
  }
}
