import { mongo } from 'mongoose';
import type { Connection } from 'mongoose';
import type { ActivityEvent, ActivityType } from '@gatehouse/types/activity';
import type { AuthMethod, Device, SessionEndReason } from '@gatehouse/types/sessions';
import type { LiveBus } from '../live/live-bus';

export const ACTIVITY_RETENTION_SECONDS = 90 * 24 * 60 * 60;
export const ACTIVITY_LIST_LIMIT = 50;

type Actor = ActivityEvent['actor'];

export interface ActivityRecord {
  userId: string;
  type: ActivityType;
  actor?: Actor;
  device?: Device | null;
  ip?: string | null;
  isSuspicious?: boolean;
  reason?: SessionEndReason;
  authMethods?: AuthMethod[];
  passkeyName?: string;
  providerName?: string;
}

interface ActivityDoc {
  _id: mongo.ObjectId;
  userId: string;
  type: ActivityType;
  at: Date;
  actor: Actor;
  device: Device | null;
  ip: string | null;
  isSuspicious: boolean;
  reason?: SessionEndReason;
  authMethods?: AuthMethod[];
  passkeyName?: string;
  providerName?: string;
}

export interface ActivityEventWithUser extends ActivityEvent {
  userId: string;
}

export interface ActivityLog {
  record(event: ActivityRecord): Promise<void>;
  listForUser(userId: string, limit?: number): Promise<ActivityEvent[]>;
  /** Latest events of one type across all accounts (the admin's view of theft signals). */
  listRecentOfType(type: ActivityType, limit: number): Promise<ActivityEventWithUser[]>;
  ensureIndexes(): Promise<void>;
}

/**
 * A replayed revoked cookie, or a bound session's cookie used without its device key, is a theft signal
 * whoever records it; a recovery code used is something the
 * owner must know of (was it them?).
 */
const ALWAYS_SUSPICIOUS: ReadonlySet<ActivityType> = new Set<ActivityType>(['revoked_session_reused', 'recovery_code_used', 'session_used_without_device_key']);

function toActivityEvent(doc: ActivityDoc): ActivityEvent {
  return {
    id: doc._id.toHexString(),
    type: doc.type,
    at: doc.at.toISOString(),
    device: doc.device,
    ip: doc.ip,
    actor: doc.actor,
    isSuspicious: doc.isSuspicious,
    ...(doc.reason ? { reason: doc.reason } : {}),
    ...(doc.authMethods ? { authMethods: doc.authMethods } : {}),
    ...(doc.passkeyName !== undefined ? { passkeyName: doc.passkeyName } : {}),
    ...(doc.providerName !== undefined ? { providerName: doc.providerName } : {}),
  };
}

export function createActivityLog({ connection, live }: { connection: Connection; live: Pick<LiveBus, 'publishToUser'> }): ActivityLog {
  const activity = () => connection.collection<ActivityDoc>('activity');

  return {
    async record(event) {
      await activity().insertOne({
        _id: new mongo.ObjectId(),
        userId: event.userId,
        type: event.type,
        at: new Date(),
        actor: event.actor ?? 'self',
        device: event.device ?? null,
        ip: event.ip ?? null,
        isSuspicious: event.isSuspicious ?? ALWAYS_SUSPICIOUS.has(event.type),
        ...(event.reason ? { reason: event.reason } : {}),
        ...(event.authMethods ? { authMethods: event.authMethods } : {}),
        ...(event.passkeyName !== undefined ? { passkeyName: event.passkeyName } : {}),
        ...(event.providerName !== undefined ? { providerName: event.providerName } : {}),
      });
      live.publishToUser(event.userId, { type: 'activity' });
    },

    async listForUser(userId, limit = ACTIVITY_LIST_LIMIT) {
      const docs = await activity().find({ userId }).sort({ at: -1, _id: -1 }).limit(limit).toArray();
      return docs.map(toActivityEvent);
    },

    async listRecentOfType(type, limit) {
      const docs = await activity().find({ type }).sort({ at: -1, _id: -1 }).limit(limit).toArray();
      return docs.map((doc) => ({ ...toActivityEvent(doc), userId: doc.userId }));
    },

    async ensureIndexes() {
      await activity().createIndex({ userId: 1, at: -1 });
      await activity().createIndex({ type: 1, at: -1 });
      await activity().createIndex({ at: 1 }, { expireAfterSeconds: ACTIVITY_RETENTION_SECONDS });
    },
  };
}
