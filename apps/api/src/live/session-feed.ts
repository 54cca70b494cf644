import type { SessionEventHub } from '../sessions/registry';
import type { LiveBus } from './live-bus';

/**
 * Turns the session registry's announcements into live events on this instance: the ended tab is told
 * why, the account's other tabs refetch their list. Other instances learn the same through the
 * registry's change feed (each open stream then re-reads where it stands, see router.ts).
 */
export function relaySessionEvents(events: SessionEventHub, live: Pick<LiveBus, 'publishToUser' | 'publishToSession'>): () => void {
  const unsubscribers = [
    events.on('started', ({ userId }) => live.publishToUser(userId, { type: 'sessions_changed' })),
    events.on('refreshed', ({ userId }) => live.publishToUser(userId, { type: 'sessions_changed' })),
    events.on('ended', ({ userId, cause, sessions }) => {
      for (const session of sessions) live.publishToSession(session.sid, { type: 'session_ended', reason: cause.reason });
      live.publishToUser(userId, { type: 'sessions_changed' });
    }),
  ];
  return () => unsubscribers.forEach((unsubscribe) => unsubscribe());
}
