import MongoStore from 'connect-mongo';
import type { Connection } from 'mongoose';
import type { Session, SessionData } from 'express-session';
import { sessionHandle } from './handle';

export const SESSIONS_COLLECTION = 'sessions';

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
  connection: Connection;
  idleTimeoutSeconds: number;
  rememberMeIdleTimeoutSeconds: number;
  touchAfterSeconds: number;
}

type StoredSession = SessionData & { lastModified?: Date };
type Callback = (error?: unknown) => void;

/**
 * connect-mongo, except that saving never brings a session back to life (R5). connect-mongo's `set` is
 * an upsert: a request still in flight when its session is revoked or signed out would write the
 * document again, and the stolen cookie would work again (expressjs/session#632). Here only a session
 * created by this request (sign-in, registration, re-authentication, after `markNew`) may be inserted;
 * every other save or touch updates an existing document or does nothing.
 */
export class GatehouseSessionStore extends MongoStore {
  private readonly newSessions = new WeakSet<object>();
  private readonly idleMs: number;
  private readonly rememberMeIdleMs: number;
  private readonly touchAfterMs: number;

  constructor({ connection, idleTimeoutSeconds, rememberMeIdleTimeoutSeconds, touchAfterSeconds }: SessionStoreOptions) {
    super({
      client: connection.getClient(),
      dbName: connection.name,
      collectionName: SESSIONS_COLLECTION,
      stringify: false,
      ttl: idleTimeoutSeconds,
      touchAfter: touchAfterSeconds,
      // The TTL index is created by ensureIndexes at startup: connect-mongo creating it in its constructor
      // would leave the store permanently broken if the database was down at that moment.
      autoRemove: 'disabled',
    });
    this.idleMs = idleTimeoutSeconds * 1000;
    this.rememberMeIdleMs = rememberMeIdleTimeoutSeconds * 1000;
    this.touchAfterMs = touchAfterSeconds * 1000;
  }

  /** Allows the next save of this Session object to insert it. Call right after regenerate. */
  markNew(session: Session): void {
    this.newSessions.add(session);
  }

  /** The idle deadline from now, never past the absolute one. */
  expiresAt(session: Partial<SessionData>, now = Date.now()): Date {
    const idle = now + (session.rememberMe ? this.rememberMeIdleMs : this.idleMs);
    return new Date(typeof session.absoluteExpiresAt === 'number' ? Math.min(idle, session.absoluteExpiresAt) : idle);
  }

  override set(sid: string, session: StoredSession, callback: Callback = () => {}): void {
    const isNew = this.newSessions.has(session);
    const { lastModified: _ignored, cookie, ...data } = session;
    // Cookie#toJSON gives the plain attributes; the typings omit it.
    const serializable = cookie as typeof cookie & { toJSON?: () => typeof cookie };
    const now = new Date();
    const document = {
      session: { ...data, cookie: serializable.toJSON ? serializable.toJSON() : cookie },
      expires: this.expiresAt(session, now.getTime()),
      lastModified: now,
    };
    this.collectionP
      .then((collection) => collection.updateOne({ _id: sid }, { $set: document, $setOnInsert: { handle: sessionHandle(sid) } }, { upsert: isNew }))
      .then(() => {
        this.newSessions.delete(session);
        callback(null);
      }, callback);
  }

  override touch(sid: string, session: StoredSession, callback: Callback = () => {}): void {
    const now = Date.now();
    const lastModified = session.lastModified instanceof Date ? session.lastModified.getTime() : 0;
    if (this.touchAfterMs > 0 && now - lastModified < this.touchAfterMs) {
      callback(null);
      return;
    }
    // No match means the session ended meanwhile: nothing to touch, and not an error for this response.
    this.collectionP
      .then((collection) => collection.updateOne({ _id: sid }, { $set: { expires: this.expiresAt(session, now), lastModified: new Date(now) } }))
      .then(() => callback(null), callback);
  }

  /** Forces the next touch to write, whatever touchAfter says ("Stay signed in"). */
  forceTouch(sid: string, session: Partial<SessionData>): Promise<void> {
    const now = Date.now();
    return this.collectionP
      .then((collection) => collection.updateOne({ _id: sid }, { $set: { expires: this.expiresAt(session, now), lastModified: new Date(now) } }))
      .then(() => undefined);
  }

  /** connect-mongo's TTL index (expires at `expires`), created here rather than in its constructor. */
  ensureIndexes(): Promise<void> {
    return this.collectionP
      .then((collection) => Promise.all([collection.createIndex({ expires: 1 }, { expireAfterSeconds: 0 }), collection.createIndex({ handle: 1 })]))
      .then(() => undefined);
  }

  /**
   * Deletes the document of a session that is past its deadline. Reads already ignore such documents;
   * this only saves waiting for the TTL monitor (up to a minute on MongoDB) when its cookie comes back.
   */
  deleteIfExpired(sid: string): Promise<void> {
    return this.collectionP
      .then((collection) => collection.deleteOne({ _id: sid, expires: { $lte: new Date() } }))
      .then(() => undefined);
  }

  /** The client belongs to the app's mongoose connection, which server.ts closes. */
  override close(): Promise<void> {
    return Promise.resolve();
  }
}
