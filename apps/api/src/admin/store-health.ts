import type { Connection } from 'mongoose';
import type { StoreHealthResponse } from '@gatehouse/types/admin';
import type { ActivityLog } from '../activity/activity-log';
import { SESSIONS_COLLECTION } from '../sessions/store';
import type { SessionDocument } from '../sessions/store';
import { notExpired } from '../sessions/directory';
import { emailsById } from './users-lookup';

export const TOP_USERS_LIMIT = 10;
export const RECENT_REPLAYS_LIMIT = 20;

interface IndexInfo {
  key: Record<string, unknown>;
  expireAfterSeconds?: number;
}

function hasKey(index: IndexInfo, field: string): boolean {
  const fields = Object.keys(index.key);
  return fields.length === 1 && fields[0] === field;
}

/** A collection that was never written has no indexes (and listing them is an error): report none. */
async function listIndexes(connection: Connection): Promise<IndexInfo[]> {
  try {
    return (await connection.collection(SESSIONS_COLLECTION).listIndexes().toArray()) as IndexInfo[];
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'codeName' in error && error.codeName === 'NamespaceNotFound') return [];
    throw error;
  }
}

export async function readStoreHealth({ connection, activity }: { connection: Connection; activity: Pick<ActivityLog, 'listRecentOfType'> }): Promise<StoreHealthResponse> {
  const sessions = connection.collection<SessionDocument>(SESSIONS_COLLECTION);
  const now = new Date();
  const [storedSessions, anonymousSessions, expiredNotReaped, indexes, top, replays] = await Promise.all([
    sessions.countDocuments({}),
    // saveUninitialized: false means every stored session has a user; anything else here is a bug.
    sessions.countDocuments({ 'session.userId': null }),
    sessions.countDocuments({ expires: { $lte: now } }),
    listIndexes(connection),
    sessions
      .aggregate<{ _id: string; sessions: number }>([
        { $match: { 'session.userId': { $type: 'string' }, ...notExpired(now) } },
        { $group: { _id: '$session.userId', sessions: { $sum: 1 } } },
        { $sort: { sessions: -1, _id: 1 } },
        { $limit: TOP_USERS_LIMIT },
      ])
      .toArray(),
    activity.listRecentOfType('revoked_session_reused', RECENT_REPLAYS_LIMIT),
  ]);

  const ttl = indexes.find((index) => hasKey(index, 'expires') && typeof index.expireAfterSeconds === 'number');
  const emails = await emailsById(connection, [...top.map((row) => row._id), ...replays.map((event) => event.userId)]);

  return {
    storedSessions,
    anonymousSessions,
    expiredNotReaped,
    ttlIndex: { present: ttl !== undefined, expireAfterSeconds: ttl?.expireAfterSeconds ?? null },
    userIndex: { present: indexes.some((index) => hasKey(index, 'session.userId')) },
    topUsers: top.map((row) => ({ userId: row._id, email: emails.get(row._id) ?? null, sessions: row.sessions })),
    recentReplays: replays.map(({ userId, ...event }) => ({ ...event, userEmail: emails.get(userId) ?? null })),
  };
}
