import type { Connection } from 'mongoose';
import type { SessionData } from 'express-session';
import type { ActivityEvent } from '@gatehouse/types/activity';
import type { LiveEvent } from '@gatehouse/types/events';
import type { Device, SessionView } from '@gatehouse/types/sessions';
import type { AdminSessionView } from '@gatehouse/types/admin';
import type { LiveBus } from '../live/live-bus';
import { sessionHandle } from './handle';
import { SESSIONS_COLLECTION } from './store';
import type { SessionDocument } from './store';
import './session-data';

export const REVOKED_SESSIONS_COLLECTION = 'revoked_sessions';
export const REVOCATION_MARKER_TTL_SECONDS = 30 * 24 * 60 * 60;

type Actor = ActivityEvent['actor'];
export type SessionEndReason = Extract<LiveEvent, { type: 'session_ended' }>['reason'];

const END_REASONS: ReadonlySet<string> = new Set<SessionEndReason>(['revoked', 'expired', 'signed_out', 'password_changed', 'account_disabled']);
const UNKNOWN_DEVICE: Device = { browser: null, os: null, platform: null };

/** A stored session as the server sees it. `sid` must never reach a client: views carry `handle` only. */
export interface StoredSession {
  sid: string;
  handle: string;
  userId: string | null;
  createdAt: Date;
  lastActiveAt: Date;
  idleExpiresAt: Date;
  absoluteExpiresAt: Date;
  rememberMe: boolean;
  device: Device;
  ip: string | null;
  /** The stored `session` field as it is (secrets included): mask before showing it. */
  data: Partial<SessionData> & { cookie: Record<string, unknown> };
}

export interface RevocationMarker {
  _id: string;
  userId: string;
  revokedAt: Date;
  reason: string;
  actor: Actor;
  /** When the revoked session's own tab was told (see acknowledgeEnded). */
  notifiedAt?: Date;
  followUpUsed?: boolean;
}

export interface RevokeBy {
  actor: Actor;
  /** Kept on the marker; a LiveEvent reason ('revoked', 'password_changed', …) is passed on to the ended tab. */
  reason: string;
}

export interface SessionDirectory {
  handleOf(sid: string): string;
  describe(doc: SessionDocument): StoredSession;
  listForUser(userId: string): Promise<StoredSession[]>;
  /** The user's own session with this handle, found through the userId index; another user's handle gives null. */
  findForUser(userId: string, handle: string): Promise<StoredSession | null>;
  findByHandle(handle: string): Promise<StoredSession | null>;
  findBySid(sid: string): Promise<StoredSession | null>;
  revoke(sid: string, by: RevokeBy): Promise<boolean>;
  revokeAllForUser(userId: string, options: RevokeBy & { exceptSid?: string }): Promise<number>;
  /**
   * The revocation marker of this session, if it was revoked. `isFollowUp` is true exactly once, for the
   * first request after the session's own tab was told it ended (acknowledgeEnded): that tab clearing its
   * cookie is expected; any other use of the revoked cookie is a theft signal.
   */
  wasRevoked(sid: string): Promise<{ userId: string; reason: string; isFollowUp: boolean } | null>;
  /** Records that the session's own live stream delivered `session_ended`. */
  acknowledgeEnded(sid: string): Promise<void>;
  ensureIndexes(): Promise<void>;
}

export interface SessionDirectoryDeps {
  connection: Connection;
  live: Pick<LiveBus, 'publishToUser' | 'publishToSession'>;
}

export function toSessionEndReason(reason: string): SessionEndReason {
  return END_REASONS.has(reason) ? (reason as SessionEndReason) : 'revoked';
}

/** Only live documents: connect-mongo ignores expired ones on read, and so must every listing. */
export function notExpired(now = new Date()) {
  return { expires: { $gt: now } };
}

/** Every live session of one account: an equality on `session.userId`, so its index serves it. */
export function userSessionsFilter(userId: string, now = new Date()) {
  return { 'session.userId': userId, ...notExpired(now) };
}

export function createSessionDirectory({ connection, live }: SessionDirectoryDeps): SessionDirectory {
  const sessions = () => connection.collection<SessionDocument>(SESSIONS_COLLECTION);
  const markers = () => connection.collection<RevocationMarker>(REVOKED_SESSIONS_COLLECTION);
  const handleOf = sessionHandle;

  function toStoredSession(doc: SessionDocument): StoredSession {
    const data = doc.session;
    const createdAt = typeof data.createdAt === 'number' ? new Date(data.createdAt) : (doc.lastModified ?? doc.expires);
    return {
      sid: doc._id,
      handle: handleOf(doc._id),
      userId: typeof data.userId === 'string' ? data.userId : null,
      createdAt,
      lastActiveAt: doc.lastModified ?? createdAt,
      idleExpiresAt: doc.expires,
      absoluteExpiresAt: typeof data.absoluteExpiresAt === 'number' ? new Date(data.absoluteExpiresAt) : doc.expires,
      rememberMe: data.rememberMe === true,
      device: data.device ?? UNKNOWN_DEVICE,
      ip: data.ip ?? null,
      data,
    };
  }

  async function listForUser(userId: string): Promise<StoredSession[]> {
    const docs = await sessions().find(userSessionsFilter(userId)).toArray();
    return docs.map(toStoredSession).sort((a, b) => b.lastActiveAt.getTime() - a.lastActiveAt.getTime());
  }

  async function writeMarkers(sids: string[], userId: string, by: RevokeBy): Promise<void> {
    if (sids.length === 0) return;
    const revokedAt = new Date();
    await markers().bulkWrite(
      sids.map((sid) => ({
        updateOne: {
          filter: { _id: handleOf(sid) },
          update: { $set: { userId, revokedAt, reason: by.reason, actor: by.actor } },
          upsert: true,
        },
      })),
      { ordered: false },
    );
  }

  function announceEnded(sids: string[], userId: string, by: RevokeBy): void {
    const reason = toSessionEndReason(by.reason);
    for (const sid of sids) live.publishToSession(sid, { type: 'session_ended', reason });
    live.publishToUser(userId, { type: 'sessions_changed' });
  }

  return {
    handleOf,
    describe: toStoredSession,
    listForUser,

    async findForUser(userId, handle) {
      const owned = await listForUser(userId);
      return owned.find((session) => session.handle === handle) ?? null;
    },

    /**
     * Handles are keyed hashes, so finding one without its owner means hashing every live id. Only the
     * admin's per-row revoke needs this; ids alone are read, and the cursor stops at the match.
     */
    async findByHandle(handle) {
      const doc = await sessions().findOne({ handle, ...notExpired() });
      return doc ? toStoredSession(doc) : null;
    },

    async findBySid(sid) {
      const doc = await sessions().findOne({ _id: sid, ...notExpired() });
      return doc ? toStoredSession(doc) : null;
    },

    async revoke(sid, by) {
      const doc = await sessions().findOne({ _id: sid }, { projection: { 'session.userId': 1 } });
      if (!doc) return false;
      const userId = doc.session.userId;
      // Marker before delete: a request racing the revocation then finds either its session or its marker.
      if (typeof userId === 'string') await writeMarkers([sid], userId, by);
      const { deletedCount } = await sessions().deleteOne({ _id: sid });
      if (deletedCount === 0) return false;
      if (typeof userId === 'string') announceEnded([sid], userId, by);
      return true;
    },

    async revokeAllForUser(userId, { exceptSid, ...by }) {
      const docs = await sessions()
        .find({ 'session.userId': userId }, { projection: { _id: 1, expires: 1 } })
        .toArray();
      const sids = docs.map((doc) => doc._id).filter((sid) => sid !== exceptSid);
      if (sids.length === 0) return 0;
      await writeMarkers(sids, userId, by);
      await sessions().deleteMany({ _id: { $in: sids }, 'session.userId': userId });
      announceEnded(sids, userId, by);
      const now = Date.now();
      return docs.filter((doc) => doc._id !== exceptSid && doc.expires.getTime() > now).length;
    },

    async wasRevoked(sid) {
      const followUp = await markers().findOneAndUpdate(
        { _id: handleOf(sid), notifiedAt: { $exists: true }, followUpUsed: { $ne: true } },
        { $set: { followUpUsed: true } },
      );
      if (followUp) return { userId: followUp.userId, reason: followUp.reason, isFollowUp: true };
      const marker = await markers().findOne({ _id: handleOf(sid) });
      return marker ? { userId: marker.userId, reason: marker.reason, isFollowUp: false } : null;
    },

    async acknowledgeEnded(sid) {
      await markers().updateOne({ _id: handleOf(sid), notifiedAt: { $exists: false } }, { $set: { notifiedAt: new Date() } });
    },

    async ensureIndexes() {
      await sessions().createIndex({ 'session.userId': 1 });
      await markers().createIndex({ revokedAt: 1 }, { expireAfterSeconds: REVOCATION_MARKER_TTL_SECONDS });
    },
  };
}

export function toSessionView(session: StoredSession, currentSid: string | null): SessionView {
  return {
    handle: session.handle,
    isCurrent: session.sid === currentSid,
    createdAt: session.createdAt.toISOString(),
    lastActiveAt: session.lastActiveAt.toISOString(),
    idleExpiresAt: session.idleExpiresAt.toISOString(),
    absoluteExpiresAt: session.absoluteExpiresAt.toISOString(),
    rememberMe: session.rememberMe,
    device: session.device,
    deviceName: null,
    firstSeenAt: session.createdAt.toISOString(),
    ip: session.ip,
    authMethods: ['password'],
    authenticatedAt: new Date(session.data.authenticatedAt ?? session.createdAt.getTime()).toISOString(),
  };
}

export function toAdminSessionView(session: StoredSession, user: AdminSessionView['user']): AdminSessionView {
  const { isCurrent: _isCurrent, ...view } = toSessionView(session, null);
  return { ...view, user };
}
