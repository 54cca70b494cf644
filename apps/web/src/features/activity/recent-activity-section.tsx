import { lazy, Suspense } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { ActivityEvent } from '@gatehouse/types/activity';
import { describeDevice } from '../../lib/device';
import { RelativeTime } from '../../lib/time-view';
import { useNow } from '../../lib/use-now';
import { QueryState } from '../../components/query-state';
import { activityMessages, activityTitle, actorLabels } from '../../messages/activity';
import { usePollInterval } from '../live/live-status';
import { activityQueries } from './activity-queries';

const ActivityExportLinks = lazy(() => import('./export'));

export function RecentActivitySection() {
  const activity = useQuery({ ...activityQueries.list(), refetchInterval: usePollInterval() });
  const now = useNow();
  return (
    <section className="card" aria-labelledby="recent-activity-title">
      <h2 id="recent-activity-title">Recent activity</h2>
      <Suspense>
        <ActivityExportLinks />
      </Suspense>
      {activity.data ? (
        activity.data.events.length > 0 ? (
          // Scrollable, so it must be reachable by keyboard too.
          <ul className="activity-list activity-list-scroll" tabIndex={0} aria-label={activityMessages.listLabel}>
            {activity.data.events.map((event) => (
              <ActivityItem key={event.id} event={event} now={now} />
            ))}
          </ul>
        ) : (
          <p className="muted">{activityMessages.nothingYet}</p>
        )
      ) : (
        <QueryState query={activity} what={activityMessages.recentActivity} />
      )}
    </section>
  );
}

function ActivityItem({ event, now }: { event: ActivityEvent; now: number }) {
  const actor = actorLabels[event.actor];
  const details = [event.device ? describeDevice(event.device) : null, event.ip, actor].filter(Boolean).join(' · ');
  return (
    <li className={event.isSuspicious ? 'activity activity-suspicious' : 'activity'}>
      <div className="activity-title">
        {event.isSuspicious ? <span className="badge badge-danger">{activityMessages.suspicious}</span> : null}
        <strong>{activityTitle(event)}</strong>
      </div>
      <div className="muted">
        <RelativeTime value={event.at} now={now} isPast />
        {details ? ` · ${details}` : null}
      </div>
    </li>
  );
}
