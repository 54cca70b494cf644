import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { mongo } from 'mongoose';

/** How an instance learns what other instances changed: a change stream, or (standalone MongoDB) polling. */
export type FeedMode = 'stream' | 'poll';

/** A change to session state, whichever instance (or tool) made it. */
export type FeedChange =
  /** A session document was written or removed; `userId` when the event or an earlier one told its owner. */
  | { kind: 'session'; sid: string; userId: string | null; isGone: boolean }
  /** A session ended (or its id was rotated): its revocation marker was written. */
  | { kind: 'marker'; handle: string; userId: string | null }
  /** The feed lost its place (history gone, collection dropped) and started again: anything may have changed. */
  | { kind: 'lost' };

export interface ChangeFeed {
  /**
   * Opens the change stream (once per process; later calls share it). Resolves with `stream` once it is
   * open, `poll` when the server cannot do change streams (a standalone MongoDB: 40573), or
   * `unavailable` when this attempt failed otherwise (it keeps retrying in the background).
   */
  start(): Promise<FeedMode | 'unavailable'>;
  mode(): FeedMode | 'idle' | 'starting' | 'closed';
  /** Calls `listener` for every change that may concern this account's sessions (or `lost`). */
  subscribe(target: { userId: string; sid: string }, listener: () => void): () => void;
  /** Every change, in the order the server committed them. */
  subscribeAll(listener: (change: FeedChange) => void): () => void;
  /** The stream is open and the server answered it within the lease: nothing it would report can be older than that. */
  isCurrent(now?: number): boolean;
  /**
   * Calls `listener` the moment `isCurrent` turns false: the stream failed, the feed closed, or the lease
   * lapsed with no answer (a stalled server). Whatever relied on the feed must not wait for its next use.
   */
  subscribeNotCurrent(listener: () => void): () => void;
  /** Resolves once every change committed before the call has reached the listeners (tests and tools; immediate when not streaming). */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface ChangeFeedOptions {
  db: () => mongo.Db;
  sessionsCollection: string;
  markersCollection: string;
  /** How long a getMore waits for an event (the server answers at once when one arrives). */
  maxAwaitTimeMs?: number;
  /** Warnings worth a log line (the feed falling back, or failing and retrying). */
  onProblem?: (message: string, error?: unknown) => void;
}

/** The event shape after the feed's `$project`. */
interface FeedEvent {
  _id: mongo.ResumeToken;
  operationType: string;
  ns?: { coll?: string };
  documentKey?: { _id?: unknown };
  fullDocument?: { session?: { userId?: unknown }; userId?: unknown; n?: unknown } | null;
}

const NOT_A_REPLICA_SET = 40573;
/** Resuming is impossible: history gone (286), token not in history (280), or an invalidate token (260). */
const PLACE_LOST = new Set([280, 286, 260]);
const SYNC_PREFIX = 'feed-sync:';
const MAX_KNOWN_OWNERS = 100_000;

function codeOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'number' ? error.code : undefined;
}

/**
 * One change stream per process on the session registry's two collections (sessions and revocation
 * markers), shared by whoever needs other instances' changes: the live router (instead of polling each
 * open stream) and the coherent session cache (evictions). It resumes with the last token after an
 * error; when the server no longer has that point (286), it starts again from now and reports `lost`.
 */
export function createChangeFeed({ db, sessionsCollection, markersCollection, maxAwaitTimeMs = 1000, onProblem = () => {} }: ChangeFeedOptions): ChangeFeed {
  /** Beyond this since the server last answered, nothing is vouched for (a stalled or cut connection). */
  const leaseMs = 2 * maxAwaitTimeMs + 1000;
  const byUser = new Map<string, Set<() => void>>();
  const bySid = new Map<string, Set<() => void>>();
  const everyChange = new Set<(change: FeedChange) => void>();
  const notCurrentListeners = new Set<() => void>();
  /** Owners of sessions seen in events, so a delete (which carries only the id) reaches its account's watchers. */
  const owners = new Map<string, string>();
  const syncId = `${SYNC_PREFIX}${randomBytes(12).toString('base64url')}`;
  const syncWaiters: { target: number; resolve: () => void }[] = [];
  let syncSeen = 0;
  let state: 'idle' | 'starting' | 'stream' | 'poll' | 'closed' = 'idle';
  let heardAt = 0;
  let loop: Promise<void> | null = null;
  let current: mongo.ChangeStream<mongo.Document, FeedEvent> | null = null;
  let outcomeWaiters: ((outcome: FeedMode | 'unavailable') => void)[] = [];
  let isLostPending = false;
  /** Fires when the lease lapses without an answer; every answer restarts it. Unref'd: it never keeps the process up. */
  let leaseTimer: NodeJS.Timeout | null = null;
  const isClosed = () => state === 'closed';
  /** Ends a wait between retries when the feed is closed. */
  const closing = new AbortController();

  const markers = () => db().collection<{ _id: string; n?: number; revokedAt?: Date }>(markersCollection);

  function settle(outcome: FeedMode | 'unavailable'): void {
    const waiters = outcomeWaiters;
    outcomeWaiters = [];
    for (const resolve of waiters) resolve(outcome);
  }

  function deliver(change: FeedChange): void {
    const listeners = new Set<() => void>();
    if (change.kind === 'lost') {
      for (const set of byUser.values()) for (const listener of set) listeners.add(listener);
      for (const set of bySid.values()) for (const listener of set) listeners.add(listener);
    } else {
      if (change.userId !== null) for (const listener of byUser.get(change.userId) ?? []) listeners.add(listener);
      if (change.kind === 'session') for (const listener of bySid.get(change.sid) ?? []) listeners.add(listener);
    }
    for (const listener of everyChange) {
      try {
        listener(change);
      } catch (error) {
        onProblem('a change feed listener failed', error);
      }
    }
    for (const listener of listeners) {
      try {
        listener();
      } catch (error) {
        onProblem('a change feed listener failed', error);
      }
    }
  }

  /** The feed stops vouching for anything: whoever relied on it hears so once, when it was current until now. */
  function stopBeingCurrent(): void {
    heardAt = 0;
    if (!leaseTimer) return;
    clearTimeout(leaseTimer);
    leaseTimer = null;
    for (const listener of notCurrentListeners) {
      try {
        listener();
      } catch (error) {
        onProblem('a change feed listener failed', error);
      }
    }
  }

  function markOpen(): void {
    if (isClosed()) return;
    heardAt = Date.now();
    if (leaseTimer) leaseTimer.refresh();
    else leaseTimer = setTimeout(stopBeingCurrent, leaseMs).unref();
    if (state !== 'stream') {
      state = 'stream';
      settle('stream');
    }
    if (isLostPending) {
      // Reported once the new stream is open, so whatever re-reads because of it cannot miss a later change.
      isLostPending = false;
      deliver({ kind: 'lost' });
    }
  }

  function noteSync(n: unknown): void {
    if (typeof n !== 'number' || n <= syncSeen) return;
    syncSeen = n;
    for (let index = syncWaiters.length - 1; index >= 0; index -= 1) {
      const waiter = syncWaiters[index];
      if (waiter && waiter.target <= syncSeen) {
        syncWaiters.splice(index, 1);
        waiter.resolve();
      }
    }
  }

  function handle(event: FeedEvent): void {
    const coll = event.ns?.coll;
    const id = event.documentKey?._id;
    switch (event.operationType) {
      case 'insert':
      case 'update':
      case 'replace':
      case 'delete': {
        if (typeof id !== 'string') return;
        const isGone = event.operationType === 'delete';
        if (coll === sessionsCollection) {
          const owner = event.fullDocument?.session?.userId;
          const userId = typeof owner === 'string' ? owner : (owners.get(id) ?? null);
          if (isGone) owners.delete(id);
          else if (userId !== null && !owners.has(id)) {
            if (owners.size >= MAX_KNOWN_OWNERS) owners.delete(owners.keys().next().value ?? '');
            owners.set(id, userId);
          }
          deliver({ kind: 'session', sid: id, userId, isGone });
        } else if (coll === markersCollection) {
          if (id.startsWith(SYNC_PREFIX)) {
            if (id === syncId) noteSync(event.fullDocument?.n);
            return;
          }
          const userId = event.fullDocument?.userId;
          deliver({ kind: 'marker', handle: id, userId: typeof userId === 'string' ? userId : null });
        }
        return;
      }
      default:
        // drop, rename, dropDatabase, invalidate: documents went without an event each.
        isLostPending = true;
    }
  }

  async function run(): Promise<void> {
    const pipeline = [
      { $match: { $or: [{ 'ns.coll': { $in: [sessionsCollection, markersCollection] } }, { operationType: 'dropDatabase' }] } },
      { $project: { operationType: 1, 'ns.coll': 1, documentKey: 1, 'fullDocument.session.userId': 1, 'fullDocument.userId': 1, 'fullDocument.n': 1 } },
    ];
    let token: mongo.ResumeToken | undefined;
    let failures = 0;
    while (!isClosed()) {
      const stream = db().watch<mongo.Document, FeedEvent>(pipeline, {
        fullDocument: 'updateLookup',
        maxAwaitTimeMS: maxAwaitTimeMs,
        ...(token ? { resumeAfter: token } : {}),
      });
      current = stream;
      // Every answer moves the token (an empty batch's too): the server was heard from.
      stream.on('resumeTokenChanged', markOpen);
      try {
        while (!isClosed()) {
          const event = await stream.tryNext();
          if (isClosed()) break;
          markOpen();
          failures = 0;
          token = stream.resumeToken ?? token;
          if (!event) continue;
          handle(event);
          if (isLostPending) {
            // Collections dropped or the stream invalidated: begin again from now, reporting `lost` once open.
            token = undefined;
            break;
          }
        }
      } catch (error) {
        if (isClosed()) break;
        stopBeingCurrent();
        const code = codeOf(error);
        if (code === NOT_A_REPLICA_SET) {
          state = 'poll';
          settle('poll');
          onProblem('the database cannot do change streams (a standalone server): live events poll the database, and the session cache stays off');
          break;
        }
        if (code !== undefined && PLACE_LOST.has(code)) {
          token = undefined;
          isLostPending = true;
          onProblem('the change stream lost its place in the history; starting again from now', error);
        } else {
          failures += 1;
          onProblem('the change stream failed; resuming', error);
        }
        if (state === 'starting') settle('unavailable');
        // Unref'd like the lease timer: a feed waiting to retry never keeps the process up by itself (an app
        // whose database went away, and that nobody closed, would otherwise never let its process exit).
        await sleep(Math.min(5000, 100 * 2 ** Math.min(failures, 6)), undefined, { signal: closing.signal, ref: false }).catch(() => undefined);
      } finally {
        current = null;
        await stream.close().catch(() => undefined);
      }
    }
  }

  return {
    start() {
      if (state === 'stream' || state === 'poll') return Promise.resolve(state);
      if (state === 'closed') return Promise.resolve('unavailable');
      const outcome = new Promise<FeedMode | 'unavailable'>((resolve) => outcomeWaiters.push(resolve));
      if (!loop) {
        state = 'starting';
        loop = run().catch((error: unknown) => onProblem('the change feed stopped', error));
      }
      return outcome;
    },

    mode: () => state,

    subscribe({ userId, sid }, listener) {
      const forUser = byUser.get(userId) ?? new Set();
      forUser.add(listener);
      byUser.set(userId, forUser);
      const forSid = bySid.get(sid) ?? new Set();
      forSid.add(listener);
      bySid.set(sid, forSid);
      return () => {
        forUser.delete(listener);
        if (forUser.size === 0 && byUser.get(userId) === forUser) byUser.delete(userId);
        forSid.delete(listener);
        if (forSid.size === 0 && bySid.get(sid) === forSid) bySid.delete(sid);
      };
    },

    subscribeAll(listener) {
      everyChange.add(listener);
      return () => everyChange.delete(listener);
    },

    isCurrent(now = Date.now()) {
      return state === 'stream' && now - heardAt < leaseMs;
    },

    subscribeNotCurrent(listener) {
      notCurrentListeners.add(listener);
      return () => notCurrentListeners.delete(listener);
    },

    async sync() {
      if (state !== 'stream') return;
      const doc = await markers().findOneAndUpdate(
        { _id: syncId },
        { $inc: { n: 1 }, $set: { revokedAt: new Date() } },
        { upsert: true, returnDocument: 'after' },
      );
      const target = doc?.n ?? 0;
      if (target <= syncSeen) return;
      await new Promise<void>((resolve) => syncWaiters.push({ target, resolve }));
    },

    async close() {
      if (state === 'closed') return;
      const wasStreaming = state === 'stream';
      state = 'closed';
      closing.abort();
      settle('unavailable');
      stopBeingCurrent();
      for (const waiter of syncWaiters.splice(0)) waiter.resolve();
      await current?.close().catch(() => undefined);
      await loop;
      if (wasStreaming)
        await markers()
          .deleteOne({ _id: syncId })
          .catch(() => undefined);
    },
  };
}
