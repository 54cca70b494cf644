import { useQuery } from '@tanstack/react-query';
import type { StoreHealthResponse } from '@gatehouse/types/admin';
import { DateTime } from '../../lib/time-view';
import { QueryState } from '../../components/query-state';
import { activityTitle } from '../../messages/activity';
import { adminMessages } from '../../messages/admin';
import { describeDevice } from '../../lib/device';
import { adminQueries } from './admin-queries';
import { TableRegion } from '../../components/table-region';
import { EmailText } from '../../components/email-text';

export function StoreHealthSection() {
  const health = useQuery(adminQueries.store());
  return (
    <section className="card" aria-labelledby="store-health-title">
      <h2 id="store-health-title">Store health</h2>
      {health.data ? <StoreHealth health={health.data} /> : <QueryState query={health} what={adminMessages.storeHealth} />}
    </section>
  );
}

function StoreHealth({ health }: { health: StoreHealthResponse }) {
  const hasAnonymous = health.anonymousSessions > 0;
  return (
    <div className="stack">
      <dl className="stats">
        <div>
          <dt>Stored sessions</dt>
          <dd>{health.storedSessions}</dd>
        </div>
        <div className={hasAnonymous ? 'stat-alarm' : undefined}>
          <dt>Anonymous sessions</dt>
          <dd>
            {health.anonymousSessions}
            {hasAnonymous ? <span className="stat-note">{adminMessages.storeStatus.anonymousNote}</span> : null}
          </dd>
        </div>
        <div>
          <dt>Bound to a device</dt>
          <dd>{health.deviceBoundSessions}</dd>
        </div>
        <div>
          <dt>Expired, not yet removed</dt>
          <dd>{health.expiredNotReaped}</dd>
        </div>
        <div className={health.ttlIndex.present ? undefined : 'stat-alarm'}>
          <dt>Expiry (TTL) index</dt>
          <dd>
            {health.ttlIndex.present ? adminMessages.storeStatus.present : adminMessages.storeStatus.missing}
            {health.ttlIndex.expireAfterSeconds !== null ? <span className="stat-note">expireAfterSeconds: {health.ttlIndex.expireAfterSeconds}</span> : null}
          </dd>
        </div>
        <div className={health.userIndex.present ? undefined : 'stat-alarm'}>
          <dt>Per-user index</dt>
          <dd>{health.userIndex.present ? adminMessages.storeStatus.present : adminMessages.storeStatus.missing}</dd>
        </div>
      </dl>

      <h3>Most sessions per user</h3>
      {health.topUsers.length > 0 ? (
        <TableRegion label="Most sessions per user">
          <table>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col" className="numeric">
                  Sessions
                </th>
              </tr>
            </thead>
            <tbody>
              {health.topUsers.map((entry) => (
                <tr key={entry.userId}>
                  <th scope="row">{entry.email ? <EmailText email={entry.email} /> : adminMessages.storeStatus.deletedAccount(entry.userId)}</th>
                  <td className="numeric">{entry.sessions}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      ) : (
        <p className="muted">{adminMessages.storeStatus.noSessions}</p>
      )}

      <h3>Revoked sessions used again</h3>
      {health.recentReplays.length > 0 ? (
        <ul className="activity-list">
          {health.recentReplays.map((event) => (
            <li key={event.id} className="activity activity-suspicious">
              <div className="activity-title">
                <strong>{activityTitle(event)}</strong>
              </div>
              <div className="muted">
                <DateTime value={event.at} />
                {` · ${event.userEmail ?? adminMessages.storeStatus.unknownAccount}`}
                {event.device ? ` · ${describeDevice(event.device)}` : null}
                {event.ip ? ` · ${event.ip}` : null}
              </div>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">{adminMessages.storeStatus.noReplays}</p>
      )}
    </div>
  );
}
