import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { SessionView } from '@gatehouse/types/sessions';
import { describeDevice } from '../../lib/device';
import { DateTime, RelativeTime } from '../../lib/time-view';
import { useNow } from '../../lib/use-now';
import { formErrorMessage } from '../../lib/form-errors';
import { FormAlert } from '../../components/form-alert';
import { QueryState } from '../../components/query-state';
import { usePollInterval } from '../live/live-status';
import { useWithReauth } from '../reauth/reauth-context';
import { activityKeys } from '../activity/activity-queries';
import { sessionApi, sessionKeys, sessionQueries } from './session-queries';
import { TableRegion } from '../../components/table-region';
import { whenIdle } from '../../components/when-idle';
import { describeAuthMethods } from '../second-factor/auth-methods';

const byLatestActivity = (a: SessionView, b: SessionView) => Date.parse(b.lastActiveAt) - Date.parse(a.lastActiveAt);

function pluralSessions(count: number): string {
  return `${count} other session${count === 1 ? '' : 's'}`;
}

export function AllSessionsSection() {
  const list = useQuery({ ...sessionQueries.list(), refetchInterval: usePollInterval() });
  const queryClient = useQueryClient();
  const withReauth = useWithReauth();
  const now = useNow(30_000);

  const refreshAfterChange = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: sessionKeys.all }),
      queryClient.invalidateQueries({ queryKey: activityKeys.all }),
    ]);
  const revoke = useMutation({ mutationFn: withReauth(sessionApi.revoke), onSuccess: refreshAfterChange });
  const revokeOthers = useMutation({ mutationFn: withReauth(sessionApi.revokeOthers), onSuccess: refreshAfterChange });

  const sessions = list.data ? [...list.data.sessions].sort(byLatestActivity) : null;
  const status = revokeOthers.data
    ? revokeOthers.data.revoked === 0
      ? 'There were no other sessions to sign out.'
      : `Signed out ${pluralSessions(revokeOthers.data.revoked)}.`
    : '';

  return (
    <section className="card card-wide" aria-labelledby="all-sessions-title">
      <div className="section-heading">
        <h2 id="all-sessions-title">All your sessions</h2>
        <button
          type="button"
          className="button"
          {...whenIdle(revokeOthers.isPending || !sessions, () => revokeOthers.mutate())}
        >
          Sign out everywhere else
        </button>
      </div>
      <p role="status" className="status-message">
        {status}
      </p>
      <FormAlert message={formErrorMessage(revoke.error ?? revokeOthers.error)} />
      {sessions ? (
        <TableRegion label="Your sessions">
          <table>
            <thead>
              <tr>
                <th scope="col">Device</th>
                <th scope="col">IP address</th>
                <th scope="col">Signed in with</th>
                <th scope="col">Started</th>
                <th scope="col">Last active</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sessions.map((session) => (
                <tr key={session.handle} className={session.isCurrent ? 'row-current' : undefined}>
                  <th scope="row">
                    {describeDevice(session.device)}
                    {session.rememberMe ? <span className="muted"> · remembered</span> : null}
                  </th>
                  <td>{session.ip ?? 'Unknown'}</td>
                  <td>{describeAuthMethods(session.authMethods)}</td>
                  <td>
                    <DateTime value={session.createdAt} />
                  </td>
                  <td>
                    <RelativeTime value={session.lastActiveAt} now={now} />
                  </td>
                  <td className="cell-action">
                    {session.isCurrent ? (
                      <span className="badge badge-current">This device</span>
                    ) : (
                      <button
                        type="button"
                        className="button button-small button-danger"
                        aria-label={`Revoke ${describeDevice(session.device)} session`}
                        {...whenIdle(revoke.isPending && revoke.variables === session.handle, () => revoke.mutate(session.handle))}
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      ) : (
        <QueryState query={list} what="your sessions" />
      )}
    </section>
  );
}
