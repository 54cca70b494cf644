import session from 'express-session';
import type { Session, SessionData } from 'express-session';
import type { mongo } from 'mongoose';
import { sessionHandle } from './handle';
import type { SessionCache } from './session-cache';
import { ACCOUNT_OWNED_FIELDS } from './session-data';
import type { LoadedSessionData } from './session-data';

/** A session document, shaped as connect-mongo keeps it with `stringify: false`. */
export interface SessionDocument {
  _id: string;
  /** The session's public name (see handle.ts), stored at insert so admins can act on it by index. */
  handle?: string;
  session: Partial<Omit<SessionData, 'cookie'>> & { cookie: Record<string, unknown> };
  /** Idle deadline (capped by the absolute one); the TTL index removes the document after it. */
  expires: Date;
  /** Last write or touch: "last active", to the precision of touchAfter. */
  lastModified?: Date;
}

export interface SessionStoreOptions {
  collectionName: string;
  client: mongo.MongoClient;
  dbName: string;
  idleTimeoutSeconds: number;
  rememberMeIdleTimeoutSeconds: number;
  touchAfterSeconds: number;
  /** SESSION_CACHE=coherent: sessions served from memory, kept current by the registry and its change feed. */
  cache?: SessionCache | null;
}

type Callback = (error?: unknown) => void;

const OWNED: ReadonlySet<string> = new Set(ACCOUNT_OWNED_FIELDS);

/**
 * The express-session store of Gatehouse's sessions collection (documents shaped as connect-mongo's
 * with `stringify: false`, so connect-mongo can still read them), with guarantees connect-mongo lacks:
 * - saving never brings a session back to life (R5). connect-mongo's `set` is an upsert: a request still
 *   in flight when its session ends would write the document again, and the stolen cookie would work
 *   again (expressjs/session#632). Only a session created by this request (after `markNew`) is inserted;
 *   every other save or touch updates an existing document or does nothing;
 * - saving never overwrites what the registry owns (the account snapshot, S31): an existing document
 *   gets its other fields set one by one, so a request that loaded the session before a role change
 *   cannot write the old role back;
 * - it has no `touch`: express-session then compares the session with its loaded hash once at the end of
 *   a request instead of twice (it hashes the whole session each time), and the session lifecycle
 *   middleware moves the idle deadline itself once the response is out (`touchIfDue`), with the same
 *   rule (not when the request saved or ended the session; at most once per touchAfter);
 * - with the coherent cache, `get` answers from memory.
 * Only the session registry creates it (registry.ts is the one module that names the collection).
 */
export class GatehouseSessionStore extends session.Store {
  private readonly newSessions = new WeakSet<object>();
  /** Session objects written by `set` during their request: the end-of-request touch has nothing left to do. */
  private readonly savedSessions = new WeakSet<object>();
  private readonly idleMs: number;
  private readonly rememberMeIdleMs: number;
  private readonly touchAfterMs: number;
  private readonly collection: mongo.Collection<SessionDocument>;
  private readonly cache: SessionCache | null;

  constructor(options: SessionStoreOptions) {
    super();
    this.collection = options.client.db(options.dbName).collection<SessionDocument>(options.collectionName);
    this.idleMs = options.idleTimeoutSeconds * 1000;
    this.rememberMeIdleMs = options.rememberMeIdleTimeoutSeconds * 1000;
    this.touchAfterMs = options.touchAfterSeconds * 1000;
    this.cache = options.cache ?? null;
  }

  /** Allows the next save of this Session object to insert it. The registry calls it right after regenerate. */
  markNew(session: Session): void {
    this.newSessions.add(session);
  }

  /** The idle deadline from now, never past the absolute one. */
  expiresAt(session: Partial<SessionData>, now = Date.now()): Date {
    const idle = now + (session.rememberMe ? this.rememberMeIdleMs : this.idleMs);
    return new Date(typeof session.absoluteExpiresAt === 'number' ? Math.min(idle, session.absoluteExpiresAt) : idle);
  }

  // express-session's typings call what a store returns SessionData; it is whatever was saved (Partial).
  override get(sid: string, callback: (error: unknown, session?: SessionData | null) => void): void {
    const cached = this.cache?.lookup(sid);
    if (cached) {
      callback(null, cached as SessionData);
      return;
    }
    this.read(sid).then((data) => callback(null, data as SessionData | null), callback);
  }

  private async read(sid: string): Promise<LoadedSessionData | null> {
    const keep = this.cache?.beginRead(sid);
    let doc: SessionDocument | null = null;
    try {
      // By `_id` alone, the whole document (every field but `_id` is needed): the engine answers an `_id`
      // equality without compiling a filter or a projection for it. Past its idle deadline a document
      // is no session, as if the filter said `expires > now` (every stored session has one; the TTL
      // index removes it a little later).
      const found = await this.collection.findOne({ _id: sid });
      doc = found && found.expires instanceof Date && found.expires.getTime() > Date.now() ? found : null;
    } finally {
      keep?.(doc ? { sid, handle: doc.handle ?? sessionHandle(sid), userId: doc.session.userId ?? null, data: loaded(doc), expires: doc.expires } : null);
    }
    return doc ? loaded(doc) : null;
  }

  override set(sid: string, session: LoadedSessionData, callback: Callback = () => {}): void {
    const isNew = this.newSessions.has(session);
    const { lastModified: _ignored, cookie, ...data } = session;
    // Cookie#toJSON gives the plain attributes; the typings omit it.
    const serializable = cookie as typeof cookie & { toJSON?: () => typeof cookie };
    const plainCookie: Record<string, unknown> = { ...(serializable.toJSON ? serializable.toJSON() : cookie) };
    const now = new Date();
    const times = { expires: this.expiresAt(session, now.getTime()), lastModified: now };
    const update = isNew
      ? { $set: { session: { ...data, cookie: plainCookie }, ...times }, $setOnInsert: { handle: sessionHandle(sid) } }
      : { $set: { ...loadedFields(data), 'session.cookie': plainCookie, ...times } };
    this.collection.updateOne({ _id: sid }, update, { upsert: isNew }).then(() => {
      this.newSessions.delete(session);
      this.savedSessions.add(session);
      this.cache?.evict(sid);
      callback(null);
    }, callback);
  }

  override destroy(sid: string, callback: Callback = () => {}): void {
    this.collection.deleteOne({ _id: sid }).then(() => {
      this.cache?.evict(sid);
      callback(null);
    }, callback);
  }

  /**
   * What express-session's touch did, at the end of a request that neither saved nor ended its session:
   * moves the idle deadline if the session was last written touchAfter ago or more. No match means the
   * session ended meanwhile: nothing to touch (never an insert, R5).
   */
  async touchIfDue(sid: string, session: Session & Partial<LoadedSessionData>, now = Date.now()): Promise<void> {
    if (this.savedSessions.has(session) || !this.isTouchDue(session, now)) return;
    await this.refreshDeadline(sid, session, now);
  }

  /** Whether touchAfter has passed since the session was last written (so a request would move its deadline). */
  isTouchDue(session: Partial<LoadedSessionData>, now = Date.now()): boolean {
    const lastModified = session.lastModified instanceof Date ? session.lastModified.getTime() : 0;
    return this.touchAfterMs <= 0 || now - lastModified >= this.touchAfterMs;
  }

  /** Moves the idle deadline now, whatever touchAfter says ("Stay signed in"). */
  async refreshDeadline(sid: string, session: Partial<SessionData>, now = Date.now()): Promise<void> {
    const times = { expires: this.expiresAt(session, now), lastModified: new Date(now) };
    await this.collection.updateOne({ _id: sid }, { $set: times });
    this.cache?.patchTimes(sid, times);
  }
}

/** The stored session as a store hands it to express-session: plain data (its cookie too), which express-session inflates. */
function loaded(doc: SessionDocument): LoadedSessionData {
  const data = { ...doc.session, ...(doc.lastModified ? { lastModified: doc.lastModified } : {}) };
  return data as typeof data & Pick<SessionData, 'cookie'>;
}

/** `$set` paths for the fields of a loaded session that saving may write (never the account-owned ones). */
function loadedFields(data: Partial<SessionData>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (!OWNED.has(key) && value !== undefined) fields[`session.${key}`] = value;
  }
  return fields;
}
