import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AdminSessionView } from '@gatehouse/types/admin';
import { describeDevice } from '../../lib/device';
import { DateTime, Deadline } from '../../lib/time-view';
import { useNow } from '../../lib/use-now';
import { useDebouncedValue } from '../../lib/use-debounced-value';
import { formErrorMessage } from '../../lib/form-errors';
import { FormAlert } from '../../components/form-alert';
import { QueryState } from '../../components/query-state';
import { useWithReauth } from '../reauth/reauth-context';
import { adminApi, adminKeys, adminQueries } from './admin-queries';
import { TableRegion } from '../../components/table-region';
import { whenIdle } from '../../components/when-idle';
import { describeAuthMethods } from '../second-factor/auth-methods';

const PAGE_SIZE = 20;

export function AdminSessionsSection() {
  const [page, setPage] = useState(1);
  const [emailInput, setEmailInput] = useState('');
  const email = useDebouncedValue(emailInput.trim(), 300);
  const sessions = useQuery(adminQueries.sessions({ page, pageSize: PAGE_SIZE, email }));
  const queryClient = useQueryClient();
  const withReauth = useWithReauth();
  const now = useNow();

  const refresh = () => queryClient.invalidateQueries({ queryKey: adminKeys.all });
  const revokeSession = useMutation({ mutationFn: withReauth(adminApi.revokeSession), onSuccess: refresh });
  const revokeUser = useMutation({ mutationFn: withReauth(adminApi.revokeUserSessions), onSuccess: refresh });

  const data = sessions.data;
  const pageCount = data ? Math.max(1, Math.ceil(data.total / data.pageSize)) : 1;
  const status = revokeUser.data ? `Revoked ${revokeUser.data.revoked} session${revokeUser.data.revoked === 1 ? '' : 's'}.` : '';

  return (
    <section className="card" aria-labelledby="admin-sessions-title">
      <h2 id="admin-sessions-title">All sessions</h2>
      <div className="field field-inline">
        <label htmlFor="admin-session-filter">Filter by email</label>
        <input
          id="admin-session-filter"
          type="search"
          value={emailInput}
          onChange={(event) => {
            setEmailInput(event.target.value);
            setPage(1);
          }}
        />
      </div>
      <p role="status" className="status-message">
        {status}
      </p>
      <FormAlert message={formErrorMessage(revokeSession.error ?? revokeUser.error)} />
      {data ? (
        <>
          <TableRegion label="All sessions table">
            <table>
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Device</th>
                  <th scope="col">IP address</th>
                  <th scope="col">Signed in with</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last active</th>
                  <th scope="col">Idle expiry</th>
                  <th scope="col">Absolute expiry</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.sessions.length === 0 ? (
                  <tr>
                    <td colSpan={9} className="muted">
                      No sessions{email ? ` for “${email}”` : ''}.
                    </td>
                  </tr>
                ) : null}
                {data.sessions.map((session, index) => (
                  <AdminSessionRow
                    key={session.handle}
                    session={session}
                    now={now}
                    isFirstOfUser={data.sessions.findIndex((other) => other.user?.id === session.user?.id) === index}
                    onRevoke={() => revokeSession.mutate(session.handle)}
                    onRevokeUser={(userId) => revokeUser.mutate(userId)}
                    isBusy={revokeSession.isPending || revokeUser.isPending}
                  />
                ))}
              </tbody>
            </table>
          </TableRegion>
          <nav className="pagination" aria-label="Session pages">
            <button type="button" className="button button-small" onClick={() => setPage((p) => p - 1)} disabled={page <= 1}>
              Previous
            </button>
            <span>
              Page {data.page} of {pageCount} · {data.total} session{data.total === 1 ? '' : 's'}
            </span>
            <button type="button" className="button button-small" onClick={() => setPage((p) => p + 1)} disabled={page >= pageCount}>
              Next
            </button>
          </nav>
        </>
      ) : (
        <QueryState query={sessions} what="sessions" />
      )}
    </section>
  );
}

interface AdminSessionRowProps {
  session: AdminSessionView;
  now: number;
  isFirstOfUser: boolean;
  isBusy: boolean;
  onRevoke: () => void;
  onRevokeUser: (userId: string) => void;
}

function AdminSessionRow({ session, now, isFirstOfUser, isBusy, onRevoke, onRevokeUser }: AdminSessionRowProps) {
  const { user } = session;
  const device = describeDevice(session.device);
  const owner = user?.email ?? 'anonymous';
  return (
    <tr>
      <th scope="row">
        {user ? (
          <div className="user-cell">
            <span>{user.name}</span>
            <span className="muted">{user.email}</span>
            {isFirstOfUser ? (
              <button type="button" className="link-button" {...whenIdle(isBusy, () => onRevokeUser(user.id))}>
                Revoke all sessions of {user.email}
              </button>
            ) : null}
          </div>
        ) : (
          <span className="badge badge-danger">Anonymous</span>
        )}
      </th>
      <td>{device}</td>
      <td>{session.ip ?? 'Unknown'}</td>
      <td>{describeAuthMethods(session.authMethods)}</td>
      <td>
        <DateTime value={session.createdAt} isCompact />
      </td>
      <td>
        <DateTime value={session.lastActiveAt} isCompact />
      </td>
      <td>
        <Deadline value={session.idleExpiresAt} now={now} isCompact />
      </td>
      <td>
        <Deadline value={session.absoluteExpiresAt} now={now} isCompact />
      </td>
      <td className="cell-action">
        <button
          type="button"
          className="button button-small button-danger"
          aria-label={`Revoke session of ${owner} on ${device}`}
          {...whenIdle(isBusy, onRevoke)}
        >
          Revoke
        </button>
      </td>
    </tr>
  );
}
