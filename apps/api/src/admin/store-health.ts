import type { Connection } from 'mongoose';
import type { StoreHealthResponse } from '@gatehouse/types/admin';
import type { ActivityLog } from '../activity/activity-log';
import type { SessionRegistry } from '../sessions/registry';
import { emailsById } from '../users/lookup';

export const TOP_USERS_LIMIT = 10;
export const RECENT_REPLAYS_LIMIT = 20;

/** The registry's figures, with owners' emails and the latest theft signals for people to read. */
export async function readStoreHealth({
  connection,
  registry,
  activity,
}: {
  connection: Connection;
  registry: Pick<SessionRegistry, 'health'>;
  activity: Pick<ActivityLog, 'listRecentOfType'>;
}): Promise<StoreHealthResponse> {
  const [health, replays] = await Promise.all([registry.health(TOP_USERS_LIMIT), activity.listRecentOfType('revoked_session_reused', RECENT_REPLAYS_LIMIT)]);
  const emails = await emailsById(connection, [...health.topUsers.map((row) => row.userId), ...replays.map((event) => event.userId)]);
  return {
    ...health,
    topUsers: health.topUsers.map((row) => ({ ...row, email: emails.get(row.userId) ?? null })),
    recentReplays: replays.map(({ userId, ...event }) => ({ ...event, userEmail: emails.get(userId) ?? null })),
  };
}
