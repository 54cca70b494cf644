import type { Connection } from 'mongoose';
import { SESSIONS_COLLECTION } from '../sessions/store';
import type { SessionDocument } from '../sessions/store';
import { toSessionEndReason, userSessionsFilter } from '../sessions/directory';
import type { SessionDirectory, SessionEndReason } from '../sessions/directory';

export type WatchResult =
  | { kind: 'alive'; fingerprint: string }
  /** Revoked: its marker says why. */
  | { kind: 'ended'; reason: SessionEndReason }
  /** Gone without a marker: expired, signed out on another instance, or mid-rotation. */
  | { kind: 'vanished' }
  /** The id was rotated (re-authentication, password change): the same session lives on under a new id. */
  | { kind: 'rotated' };

/**
 * One indexed read per tick tells both whether this session still exists and whether the account's set
 * of sessions changed. This is what makes the stream correct when the change happened on another
 * instance, whose in-process bus this one never hears.
 */
export function createSessionWatch({ connection, directory }: { connection: Connection; directory: Pick<SessionDirectory, 'wasRevoked'> }) {
  const sessions = () => connection.collection<SessionDocument>(SESSIONS_COLLECTION);

  return async function check(userId: string, sid: string, sessionCreatedAt: number | undefined): Promise<WatchResult> {
    const docs = await sessions()
      .find(userSessionsFilter(userId), { projection: { _id: 1, lastModified: 1, 'session.createdAt': 1 } })
      .toArray();
    if (!docs.some((doc) => doc._id === sid)) {
      const marker = await directory.wasRevoked(sid);
      if (marker) return { kind: 'ended', reason: toSessionEndReason(marker.reason) };
      const rotated = sessionCreatedAt !== undefined && docs.some((doc) => doc.session.createdAt === sessionCreatedAt);
      return rotated ? { kind: 'rotated' } : { kind: 'vanished' };
    }
    let latest = 0;
    for (const doc of docs) latest = Math.max(latest, doc.lastModified?.getTime() ?? 0, doc.session.createdAt ?? 0);
    return { kind: 'alive', fingerprint: `${docs.length}:${latest}` };
  };
}
