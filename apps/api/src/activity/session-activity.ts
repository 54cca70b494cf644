import type { ActivityType } from '@gatehouse/types/activity';
import type { SessionEndReason, SessionEventHub } from '../sessions/registry';
import type { ActivityLog } from './activity-log';

/** Every ending gives the same record whichever path ended it: one per session, with its device and why. */
const TYPE_OF_ENDING: Record<SessionEndReason, ActivityType> = {
  signed_out: 'sign_out',
  expired: 'session_expired',
  revoked: 'session_revoked',
  password_changed: 'session_revoked',
  account_disabled: 'session_revoked',
  evicted: 'session_evicted',
};

/** Records what the session registry announces; returns the unsubscribe. */
export function recordSessionActivity(events: SessionEventHub, activity: Pick<ActivityLog, 'record'>): () => void {
  const unsubscribers = [
    events.on('ended', async ({ userId, cause, sessions }) => {
      for (const session of sessions) {
        await activity.record({ userId, type: TYPE_OF_ENDING[cause.reason], actor: cause.actor, reason: cause.reason, device: session.device, ip: session.ip });
      }
    }),
    events.on('replayed', ({ userId, cause, device, ip }) =>
      activity.record({
        userId,
        type: 'revoked_session_reused',
        actor: 'self',
        isSuspicious: true,
        ...(cause.reason === 'rotated' ? {} : { reason: cause.reason }),
        device,
        ip,
      }),
    ),
  ];
  return () => unsubscribers.forEach((unsubscribe) => unsubscribe());
}
