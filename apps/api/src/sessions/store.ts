import MongoStore from 'connect-mongo';
import type { mongo } from 'mongoose';
import type { Session, SessionData } from 'express-session';
import { sessionHandle } from './handle';
import { ACCOUNT_OWNED_FIELDS } from './session-data';

/** A session document as connect-mongo keeps it with `stringify: false`. */
export interface SessionDocument {
  _id: string;
  /** The session's public name (see handle.ts), stored at insert so admins can act on it by index. */
  handle?: string;
  session: Partial<SessionData> & { cookie: Record<string, unknown> };
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
}

/** Session data as express-session hands it back to the store: connect-mongo adds `lastModified` on load. */
type LoadedSessionData = SessionData & { lastModified?: Date };
type Callback = (error?: unknown) => void;

const OWNED: ReadonlySet<string> = new Set(ACCOUNT_OWNED_FIELDS);

/**
 * connect-mongo, with two guarantees it lacks:
 * - saving never brings a session back to life (R5). connect-mongo's `set` is an upsert: a request still
 *   in flight when its session ends would write the document again, and the stolen cookie would work
 *   again (expressjs/session#632). Only a session created by this request (after `markNew`) is inserted;
 *   every other save or touch updates an existing document or does nothing;
 * - saving never overwrites what the registry owns (the account snapshot, S31): an existing document
 *   gets its other fields set one by one, so a request that loaded the session before a role change
 *   cannot write the old role back.
 * Only the session registry creates it (registry.ts is the one module that names the collection).
 */
export class GatehouseSessionStore extends MongoStore {
  private readonly newSessions = new WeakSet<object>();
  private readonly idleMs: number;
  private readonly rememberMeIdleMs: number;
  private readonly touchAfterMs: number;

  constructor(options: SessionStoreOptions) {
    super({
      client: options.client,
      dbName: options.dbName,
      collectionName: options.collectionName,
      stringify: false,
      ttl: options.idleTimeoutSeconds,
      touchAfter: options.touchAfterSeconds,
      // The TTL index is created by the registry's ensureIndexes at startup: connect-mongo creating it in
      // its constructor would leave the store permanently broken if the database was down at that moment.
      autoRemove: 'disabled',
    });
    this.idleMs = options.idleTimeoutSeconds * 1000;
    this.rememberMeIdleMs = options.rememberMeIdleTimeoutSeconds * 1000;
    this.touchAfterMs = options.touchAfterSeconds * 1000;
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

  override set(sid: string, session: LoadedSessionData, callback: Callback = () => {}): void {
    const isNew = this.newSessions.has(session);
    const { lastModified: _ignored, cookie, ...data } = session;
    // Cookie#toJSON gives the plain attributes; the typings omit it.
    const serializable = cookie as typeof cookie & { toJSON?: () => typeof cookie };
    const plainCookie = serializable.toJSON ? serializable.toJSON() : cookie;
    const now = new Date();
    const times = { expires: this.expiresAt(session, now.getTime()), lastModified: now };
    const update = isNew
      ? { $set: { session: { ...data, cookie: plainCookie }, ...times }, $setOnInsert: { handle: sessionHandle(sid) } }
      : { $set: { ...loadedFields(data), 'session.cookie': plainCookie, ...times } };
    this.collectionP
      .then((collection) => collection.updateOne({ _id: sid }, update, { upsert: isNew }))
      .then(() => {
        this.newSessions.delete(session);
        callback(null);
      }, callback);
  }

  override touch(sid: string, session: LoadedSessionData, callback: Callback = () => {}): void {
    const now = Date.now();
    const lastModified = session.lastModified instanceof Date ? session.lastModified.getTime() : 0;
    if (this.touchAfterMs > 0 && now - lastModified < this.touchAfterMs) {
      callback(null);
      return;
    }
    // No match means the session ended meanwhile: nothing to touch, and not an error for this response.
    this.refreshDeadline(sid, session, now).then(() => callback(null), callback);
  }

  /** Moves the idle deadline now, whatever touchAfter says ("Stay signed in"). */
  refreshDeadline(sid: string, session: Partial<SessionData>, now = Date.now()): Promise<void> {
    return this.collectionP
      .then((collection) => collection.updateOne({ _id: sid }, { $set: { expires: this.expiresAt(session, now), lastModified: new Date(now) } }))
      .then(() => undefined);
  }

  /** The client belongs to the app's mongoose connection, which server.ts closes. */
  override close(): Promise<void> {
    return Promise.resolve();
  }
}

/** `$set` paths for the fields of a loaded session that saving may write (never the account-owned ones). */
function loadedFields(data: Partial<SessionData>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (!OWNED.has(key) && value !== undefined) fields[`session.${key}`] = value;
  }
  return fields;
}
