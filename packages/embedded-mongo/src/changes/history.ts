/**
 * The change history: what an oplog is to a replica set, kept in memory and bounded. Every
 * acknowledged document write and collection drop/rename records an entry stamped with a cluster
 * time (`Timestamp(seconds, increment)`, strictly increasing); change streams read it from any
 * retained point onwards.
 *
 * Entries hold references to the stored documents before and after the write (stored documents
 * are never mutated in place, so this costs no copy) and the update's applied paths; events and
 * `updateDescription`s are built from them only when a stream reads the entry, so writes pay
 * almost nothing when nobody watches.
 *
 * A command's entries are stamped when it commits (in commit order) but become visible to
 * streams only once the command is durable: with a dbPath, after its journal record is fsynced —
 * as MongoDB shows only majority-committed writes. The history is not persisted: a restarted
 * engine starts a new one, with cluster times later than any the previous run handed out and a
 * new instance id in its resume tokens, so resuming across a restart fails loudly (286).
 *
 * Cluster times follow the wall clock's seconds, as MongoDB's do.
 */
import { randomBytes } from 'node:crypto';
import type { AppliedModifier } from '../update/update';
import type { Doc } from '../bson/paths';

/** A cluster time: seconds and an increment within the second. */
export interface Ts {
  t: number;
  i: number;
}

export function compareTs(left: Ts, right: Ts): number {
  return left.t - right.t || left.i - right.i;
}

/** The cluster time right after `a` (what "start after this event" means). */
export function nextTick(left: Ts): Ts {
  return { t: left.t, i: left.i + 1 };
}

export type ChangeKind = 'insert' | 'update' | 'replace' | 'delete' | 'drop' | 'rename' | 'dropDatabase';

/** What a write reports; the history stamps it. */
export interface ChangeRecord {
  kind: ChangeKind;
  db: string;
  /** Collection name ('' for dropDatabase). */
  coll: string;
  /** `_id` of the document (document events). */
  id?: unknown;
  /** Stored document before the write (update, replace, delete). */
  pre?: Doc | undefined;
  /** Stored document after the write (insert, update, replace). */
  post?: Doc | undefined;
  /** Operator updates: the modifiers and the concrete paths they were applied to. */
  applied?: AppliedModifier[] | undefined;
  /** A pipeline-style update (its description is a document diff). */
  pipeline?: boolean;
  /** The collection had `changeStreamPreAndPostImages` enabled: pre/post images are available. */
  images?: boolean;
  /** rename: the new namespace. */
  to?: { db: string; coll: string };
}

export interface ChangeEntry extends ChangeRecord {
  ts: Ts;
  wall: Date;
  /** Built once, on first read (see ./events). */
  cached?: unknown;
}

export const DEFAULT_HISTORY_ENTRIES = 10_000;

export class ChangeHistory {
  /** Distinguishes this run's resume tokens from a previous run's (8 random bytes, hex). */
  readonly instance = randomBytes(8).toString('hex');
  /** Whether writes are recorded at all (off for a standalone engine, which has no change streams). */
  readonly enabled: boolean;
  /** The earliest cluster time this run could have recorded: anything older is lost history. */
  readonly floor: Ts;
  private last: Ts;
  private lastVisible: Ts;
  private readonly capacity: number;
  private readonly ring: (ChangeEntry | undefined)[];
  /** Sequence numbers of the retained entries: [firstSeq, nextSeq). */
  private first = 0;
  private next = 0;
  private readonly listeners = new Set<() => void>();

  constructor(enabled: boolean, capacity = DEFAULT_HISTORY_ENTRIES) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error('change history size must be a positive integer');
    this.enabled = enabled;
    this.capacity = capacity;
    this.ring = new Array<ChangeEntry | undefined>(capacity);
    // Starts after every cluster time a previous run (same data, same port) can have handed out,
    // even one that stopped within this same second: increments within a second start at the
    // start millisecond × 2^20, and a run issues far fewer than 2^20 per millisecond.
    const now = Date.now();
    this.floor = { t: Math.floor(now / 1000), i: (now % 1000) * 2 ** 20 };
    this.last = this.floor;
    this.lastVisible = this.floor;
  }

  /** The latest cluster time handed out (a reply's operationTime when it wrote nothing). */
  get clusterTime(): Ts {
    return this.last;
  }

  get firstSeq(): number {
    return this.first;
  }

  get nextSeq(): number {
    return this.next;
  }

  /** The oldest point from which the history is complete; resuming before it is 286. */
  oldest(): Ts {
    return this.first === 0 ? this.floor : (this.ring[this.first % this.capacity] as ChangeEntry).ts;
  }

  entry(seq: number): ChangeEntry | undefined {
    return seq >= this.first && seq < this.next ? this.ring[seq % this.capacity] : undefined;
  }

  /** The first retained sequence number whose entry is at or after `ts` (nextSeq if none). */
  seqAtOrAfter(time: Ts): number {
    let lo = this.first;
    let hi = this.next;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareTs((this.ring[mid % this.capacity] as ChangeEntry).ts, time) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private tick(): Ts {
    const now = Math.floor(Date.now() / 1000);
    this.last = now > this.last.t ? { t: now, i: 1 } : { t: this.last.t, i: this.last.i + 1 };
    return this.last;
  }

  /** Stamps a command's changes with cluster times, in order (called when the command commits). */
  stage(records: ChangeRecord[]): ChangeEntry[] {
    const wall = new Date();
    // The records are the command's own: stamped in place rather than copied.
    for (const r of records as (ChangeRecord & Partial<ChangeEntry>)[]) {
      r.ts = this.tick();
      r.wall = wall;
    }
    return records as ChangeEntry[];
  }

  /** Makes stamped entries visible to streams (once durable), evicting the oldest beyond capacity. */
  publish(entries: ChangeEntry[]): void {
    for (const entry of entries) {
      this.ring[this.next % this.capacity] = entry;
      this.next += 1;
      if (this.next - this.first > this.capacity) this.first += 1;
      this.lastVisible = entry.ts;
    }
    for (const fn of this.listeners) fn();
  }

  /** The cluster time of the latest visible entry (or the floor). */
  get visibleTime(): Ts {
    return this.lastVisible;
  }

  /** Calls `fn` after every publish until the returned function is called. */
  subscribe(run: () => void): () => void {
    this.listeners.add(run);
    return () => this.listeners.delete(run);
  }
}
