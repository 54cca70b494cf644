import type { LoadedSessionData } from './session-data';

/** What a stored session becomes in memory: the fields the store's `get` returns, and what evicts it. */
export interface CachedSession {
  sid: string;
  handle: string;
  userId: string | null;
  /** The stored `session` field, with `lastModified` (as connect-mongo hands it to express-session). */
  data: LoadedSessionData;
  /** The idle deadline: past it the entry is a miss, as the document is for a read. */
  expires: Date;
}

export interface SessionCache {
  /** A copy of the cached session, or null (absent, past its deadline, or the change feed not current). */
  lookup(sid: string, now?: number): LoadedSessionData | null;
  /**
   * Call before reading a session from the database; call what it returns with the result. The result is
   * kept only if nothing evicted that session (or everything) while the read was on its way, so a read
   * that raced a change can never put the state from before the change into memory.
   */
  beginRead(sid: string): (entry: CachedSession | null) => void;
  evict(sid: string): void;
  evictHandle(handle: string): void;
  evictUser(userId: string): void;
  /** Everything: the change feed lost its place, or restarted. */
  clear(): void;
  /** Moves the deadline and "last active" of a cached session after the store wrote exactly these. */
  patchTimes(sid: string, times: { expires: Date; lastModified: Date }): void;
  size(): number;
}

export interface SessionCacheOptions {
  maxEntries: number;
  /** Whether cached entries may be served now: the change feed that evicts them is running and was heard from recently. */
  isTrusted(): boolean;
}

interface ReadsOf {
  pending: number;
  /** The eviction counter's value when this session was last evicted while reads of it were on their way. */
  evictedAt: number;
}

/** Nested values are shared by every copy handed out: freezing them turns an accidental in-place edit into an error. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/**
 * A bounded, least-recently-used map of sessions by id, for the coherent cache (SESSION_CACHE=coherent).
 * It never decides what is current: the registry evicts on every write it makes, and the change feed
 * on every write anyone makes; this only keeps reads from undoing an eviction that raced them.
 */
export function createSessionCache({ maxEntries, isTrusted }: SessionCacheOptions): SessionCache {
  const entries = new Map<string, CachedSession>();
  const byHandle = new Map<string, string>();
  const byUser = new Map<string, Set<string>>();
  const reads = new Map<string, ReadsOf>();
  let evictions = 0;
  let clearedAt = 0;

  function remove(sid: string): void {
    const entry = entries.get(sid);
    if (!entry) return;
    entries.delete(sid);
    byHandle.delete(entry.handle);
    if (entry.userId !== null) {
      const sids = byUser.get(entry.userId);
      sids?.delete(sid);
      if (sids?.size === 0) byUser.delete(entry.userId);
    }
  }

  function add(entry: CachedSession): void {
    remove(entry.sid);
    deepFreeze(entry.data);
    entries.set(entry.sid, entry);
    byHandle.set(entry.handle, entry.sid);
    if (entry.userId !== null) {
      const sids = byUser.get(entry.userId) ?? new Set<string>();
      sids.add(entry.sid);
      byUser.set(entry.userId, sids);
    }
    // Map keeps insertion order: the first key is the least recently used.
    while (entries.size > maxEntries) {
      const oldest = entries.keys().next();
      if (oldest.done) break;
      remove(oldest.value);
    }
  }

  function clear(): void {
    entries.clear();
    byHandle.clear();
    byUser.clear();
    clearedAt = ++evictions;
  }

  function evict(sid: string): void {
    remove(sid);
    const inFlight = reads.get(sid);
    if (inFlight) inFlight.evictedAt = ++evictions;
  }

  return {
    lookup(sid, now = Date.now()) {
      if (!isTrusted()) {
        // Whatever is held may have missed an eviction while the feed was not current: start again empty.
        if (entries.size > 0) clear();
        return null;
      }
      const entry = entries.get(sid);
      if (!entry) return null;
      if (entry.expires.getTime() <= now) {
        remove(sid);
        return null;
      }
      // Most recently used goes last.
      entries.delete(sid);
      entries.set(sid, entry);
      // express-session turns what the store returns into the request's session and changes it in place
      // (its cookie, whatever a handler sets): each request gets its own top level and cookie.
      return { ...entry.data, cookie: { ...entry.data.cookie } };
    },

    beginRead(sid) {
      const startedAt = evictions;
      const inFlight = reads.get(sid) ?? { pending: 0, evictedAt: 0 };
      inFlight.pending += 1;
      reads.set(sid, inFlight);
      return (entry) => {
        inFlight.pending -= 1;
        if (inFlight.pending === 0) reads.delete(sid);
        if (entry && inFlight.evictedAt <= startedAt && clearedAt <= startedAt && isTrusted()) add(entry);
      };
    },

    evict,

    evictHandle(handle) {
      const sid = byHandle.get(handle);
      if (sid !== undefined) return evict(sid);
      // Not held, but a read of it may be on its way (a handle does not name its id): none may be kept.
      if (reads.size > 0) clearedAt = ++evictions;
    },

    evictUser(userId) {
      for (const sid of [...(byUser.get(userId) ?? [])]) remove(sid);
      // Reads on their way may be of this user's sessions: none of them may be kept.
      clearedAt = ++evictions;
    },

    clear,

    patchTimes(sid, { expires, lastModified }) {
      const entry = entries.get(sid);
      if (!entry) return;
      add({ ...entry, expires, data: { ...entry.data, lastModified } });
    },

    size: () => entries.size,
  };
}
