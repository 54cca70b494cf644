import { setTimeout as sleep } from 'node:timers/promises';
import { mongo } from 'mongoose';
import type { Connection } from 'mongoose';
import type { ActivityEvent, ActivityExportEntry, ActivityType } from '@gatehouse/types/activity';
import type { AuthMethod, Device, SessionEndReason } from '@gatehouse/types/sessions';
import type { LiveBus } from '../live/live-bus';
import { GENESIS_HASH, PERSONAL_KEYS, sealEntry } from './chain';
import type { ActivityDoc, ActivityFacts, PersonalFields } from './chain';

export const ACTIVITY_COLLECTION = 'activity';
export const ACTIVITY_LIST_LIMIT = 50;
/** Entries a cursor fetches per round trip while exporting or verifying: memory stays flat whatever the trail's size. */
export const ACTIVITY_CURSOR_BATCH = 500;
/** Appends lost to another writer are retried; past this the record fails loudly rather than spin. */
const MAX_APPEND_ATTEMPTS = 200;
const DUPLICATE_KEY = 11000;

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

export interface ActivityEventWithUser extends ActivityEvent {
  userId: string;
}

/** Which entries an export streams; every bound is optional. */
export interface ActivityExportFilter {
  userId?: string;
  from?: Date | undefined;
  /** Exclusive. */
  to?: Date | undefined;
  /** Whose each entry is (the admin export); an account's own export leaves it out. */
  withUserIds?: boolean;
}

export interface ActivityLog {
  record(event: ActivityRecord): Promise<void>;
  listForUser(userId: string, limit?: number): Promise<ActivityEvent[]>;
  /** Latest events of one type across all accounts (the admin's view of theft signals). */
  listRecentOfType(type: ActivityType, limit: number): Promise<ActivityEventWithUser[]>;
  /** Oldest first, read from a cursor batch by batch; the caller pulls at its own pace (backpressure). */
  exportEntries(filter: ActivityExportFilter): AsyncGenerator<ActivityExportEntry>;
  /**
   * Removes who an account's entries were about (user id, IP, device, passkey names) and marks them
   * anonymised; the chain still verifies (chain.ts). Returns how many entries changed.
   */
  anonymiseUser(userId: string): Promise<number>;
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
    device: doc.device ?? null,
    ip: doc.ip ?? null,
    actor: doc.actor,
    isSuspicious: doc.isSuspicious,
    ...(doc.reason ? { reason: doc.reason } : {}),
    ...(doc.authMethods ? { authMethods: doc.authMethods } : {}),
    ...(doc.passkeyName !== undefined ? { passkeyName: doc.passkeyName } : {}),
    ...(doc.providerName !== undefined ? { providerName: doc.providerName } : {}),
  };
}

function toExportEntry(doc: ActivityDoc, includeUser: boolean): ActivityExportEntry {
  return {
    ...toActivityEvent(doc),
    ...(includeUser && doc.userId !== undefined ? { userId: doc.userId } : {}),
    ...(doc.seq !== undefined ? { seq: doc.seq } : {}),
    ...(doc.hash !== undefined ? { hash: doc.hash } : {}),
    ...(doc.anonymised ? { anonymised: true } : {}),
  };
}

interface PendingAppend {
  facts: Omit<ActivityFacts, 'at'>;
  personal: PersonalFields;
  /** Called once: null when written. */
  settle(error: unknown): void;
}

const isDuplicateSeq = (error: unknown): boolean => error instanceof mongo.MongoServerError && error.code === DUPLICATE_KEY && /\bseq\b/.test(error.message);

/** Retention of the trail: a TTL index on `at`, moved in place (collMod) when the setting changes. */
async function ensureRetentionIndex(connection: Connection, retentionSeconds: number): Promise<void> {
  const collection = connection.collection(ACTIVITY_COLLECTION);
  const existing = (
    await collection
      .listIndexes()
      .toArray()
      .catch(() => [])
  ).find((index) => JSON.stringify(index.key) === JSON.stringify({ at: 1 }));
  if (existing && existing.expireAfterSeconds !== retentionSeconds) {
    await connection.db?.command({ collMod: ACTIVITY_COLLECTION, index: { keyPattern: { at: 1 }, expireAfterSeconds: retentionSeconds } });
    return;
  }
  await collection.createIndex({ at: 1 }, { expireAfterSeconds: retentionSeconds });
}

export function createActivityLog({
  connection,
  live,
  retentionSeconds,
}: {
  connection: Connection;
  live: Pick<LiveBus, 'publishToUser'>;
  /** ACTIVITY_RETENTION_DAYS in seconds; only ensureIndexes uses it. */
  retentionSeconds: number;
}): ActivityLog {
  const activity = () => connection.collection<ActivityDoc>(ACTIVITY_COLLECTION);

  const readHead = () =>
    activity()
      .find({ seq: { $exists: true } }, { projection: { seq: 1, hash: 1, at: 1 } })
      .sort({ seq: -1 })
      .limit(1)
      .next();

  /**
   * The chain's head is its highest `seq`; an entry claims head + 1 and the unique index on `seq` lets
   * exactly one writer have it, however many instances write at once. A loser reads the new head and
   * tries again, so every entry names the one truly before it. Within this process appends queue up and
   * are written one after another from the head the previous one left (no collisions among ourselves);
   * a batch that meets a database error fails as a whole at once rather than one time-out after another.
   * `at` never goes backwards along the chain, so retention (TTL on `at`) removes entries from the start only.
   */
  async function writeBatch(batch: PendingAppend[]): Promise<void> {
    let head = await readHead();
    let attempt = 1;
    for (let index = 0; index < batch.length;) {
      const { facts, personal, settle } = batch[index] as PendingAppend;
      const now = new Date();
      const at = head && head.at > now ? head.at : now;
      const link =
        head?.seq !== undefined && head.hash ? { seq: head.seq + 1, prevHash: head.hash, prevAt: head.at } : { seq: 1, prevHash: GENESIS_HASH, prevAt: null };
      const entry: ActivityFacts = { ...facts, at };
      const doc: ActivityDoc = { _id: new mongo.ObjectId(), ...entry, ...personal, ...sealEntry(entry, personal, link) };
      try {
        await activity().insertOne(doc);
      } catch (error) {
        if (!isDuplicateSeq(error) || attempt >= MAX_APPEND_ATTEMPTS) {
          batch.slice(index).forEach((pending) => pending.settle(error));
          return;
        }
        attempt += 1;
        // Another instance appended first: spread the retries so two busy instances do not collide in lockstep.
        await sleep(Math.random() * Math.min(20, attempt));
        head = await readHead();
        continue;
      }
      settle(null);
      head = doc;
      attempt = 1;
      index += 1;
    }
  }

  let pending: PendingAppend[] = [];
  let isWriting = false;
  async function writePending(): Promise<void> {
    isWriting = true;
    try {
      while (pending.length > 0) {
        const batch = pending;
        pending = [];
        await writeBatch(batch).catch((error: unknown) => batch.forEach((append) => append.settle(error)));
      }
    } finally {
      isWriting = false;
    }
  }

  function append(facts: Omit<ActivityFacts, 'at'>, personal: PersonalFields): Promise<void> {
    return new Promise((resolve, reject) => {
      pending.push({ facts, personal, settle: (error) => (error === null ? resolve() : reject(error instanceof Error ? error : new Error(String(error)))) });
      if (!isWriting) void writePending();
    });
  }

  return {
    async record(event) {
      await append(
        {
          type: event.type,
          actor: event.actor ?? 'self',
          isSuspicious: event.isSuspicious ?? ALWAYS_SUSPICIOUS.has(event.type),
          ...(event.reason ? { reason: event.reason } : {}),
          ...(event.authMethods ? { authMethods: event.authMethods } : {}),
          ...(event.providerName !== undefined ? { providerName: event.providerName } : {}),
        },
        {
          userId: event.userId,
          device: event.device ?? null,
          ip: event.ip ?? null,
          ...(event.passkeyName !== undefined ? { passkeyName: event.passkeyName } : {}),
        },
      );
      live.publishToUser(event.userId, { type: 'activity' });
    },

    async listForUser(userId, limit = ACTIVITY_LIST_LIMIT) {
      const docs = await activity().find({ userId }).sort({ at: -1, _id: -1 }).limit(limit).toArray();
      return docs.map(toActivityEvent);
    },

    async listRecentOfType(type, limit) {
      const docs = await activity().find({ type }).sort({ at: -1, _id: -1 }).limit(limit).toArray();
      return docs.flatMap((doc) => (doc.userId === undefined ? [] : [{ ...toActivityEvent(doc), userId: doc.userId }]));
    },

    async *exportEntries({ userId, from, to, withUserIds = false }) {
      const at = { ...(from ? { $gte: from } : {}), ...(to ? { $lt: to } : {}) };
      const filter = { ...(userId !== undefined ? { userId } : {}), ...(from || to ? { at } : {}) };
      // Sorted by `at` alone so an index ({ userId, at } or the TTL index on `at`) gives the order and the
      // server streams it too, instead of sorting the whole result in its memory first.
      const cursor = activity().find(filter).sort({ at: 1 }).batchSize(ACTIVITY_CURSOR_BATCH);
      try {
        for await (const doc of cursor) yield toExportEntry(doc, withUserIds);
      } finally {
        await cursor.close();
      }
    },

    async anonymiseUser(userId) {
      const unset = Object.fromEntries(PERSONAL_KEYS.map((key) => [key, ''] as const)) as Record<(typeof PERSONAL_KEYS)[number], ''>;
      const result = await activity().updateMany({ userId }, { $unset: unset, $set: { anonymised: true } });
      return result.modifiedCount;
    },

    async ensureIndexes() {
      await activity().createIndex({ userId: 1, at: -1 });
      await activity().createIndex({ type: 1, at: -1 });
      // Sparse: entries recorded before the chain existed have no `seq` and stay outside it.
      await activity().createIndex({ seq: 1 }, { unique: true, sparse: true });
      await ensureRetentionIndex(connection, retentionSeconds);
    },
  };
}
