import { useRef, useState, type ReactNode } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AdminSessionView } from '@gatehouse/types/admin';
import { describeDevice, sessionTitle } from '../../lib/device';
import { RelativeTime } from '../../lib/time-view';
import { useNow } from '../../lib/use-now';
import { useDebouncedValue } from '../../lib/use-debounced-value';
import { useMediaQuery } from '../../lib/use-media-query';
import { describeError } from '../../lib/form-errors';
import { FormAlert } from '../../components/form-alert';
import { QueryState } from '../../components/query-state';
import { TableRegion } from '../../components/table-region';
import { EmailText } from '../../components/email-text';
import { useConfirm } from '../../components/use-confirm';
import { useFocusRescue } from '../../components/use-focus-rescue';
import { whenIdle } from '../../components/when-idle';
import { commonMessages } from '../../messages/common';
import { adminMessages } from '../../messages/admin';
import { useWithReauth } from '../reauth/reauth-context';
import { adminApi, adminKeys, adminQueries } from './admin-queries';
import { describeAuthMethods, sessionMessages } from '../../messages/sessions';

const PAGE_SIZE = 20;
/** Eight columns need this much room; below it every session is a card. */
const WIDE_ENOUGH_FOR_TABLE = '(min-width: 64rem)';

type SessionOwner = NonNullable<AdminSessionView['user']>;

interface SessionItemProps {
  session: AdminSessionView;
  now: number;
  isFirstOfUser: boolean;
  isBusy: boolean;
  onRevoke: () => void;
  onRevokeUser: (user: SessionOwner) => void;
}

export function AdminSessionsSection() {
  const [page, setPage] = useState(1);
  const [emailInput, setEmailInput] = useState('');
  const email = useDebouncedValue(emailInput.trim(), 300);
  const sessions = useQuery(adminQueries.sessions({ page, pageSize: PAGE_SIZE, email }));
  const queryClient = useQueryClient();
  const withReauth = useWithReauth();
  const { confirm, dialog } = useConfirm();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const isWide = useMediaQuery(WIDE_ENOUGH_FOR_TABLE, true);
  const now = useNow();

  const refresh = () => queryClient.invalidateQueries({ queryKey: adminKeys.all });
  const revokeSession = useMutation({ mutationFn: withReauth(adminApi.revokeSession), onSuccess: refresh });
  const revokeUser = useMutation({ mutationFn: withReauth(adminApi.revokeUserSessions), onSuccess: refresh });
  const focusRescue = useFocusRescue(headingRef, sessions.data);

  const onRevoke = async (session: AdminSessionView) => {
    const owner = session.user?.email ?? adminMessages.anonymousOwner;
    const device = sessionTitle(session);
    const isConfirmed = await confirm({
      title: adminMessages.confirmRevokeSessionTitle(owner, device),
      body: <p>{adminMessages.confirmRevokeSessionBody}</p>,
      confirmLabel: adminMessages.confirmRevokeSession,
    });
    if (isConfirmed) revokeSession.mutate(session.handle);
  };
  const onRevokeUser = async (user: SessionOwner) => {
    const isConfirmed = await confirm({
      title: adminMessages.confirmRevokeAllTitle(user.email),
      body: <p>{adminMessages.confirmRevokeAllBody}</p>,
      confirmLabel: adminMessages.confirmRevokeAll,
    });
    if (isConfirmed) revokeUser.mutate(user.id);
  };

  const data = sessions.data;
  const pageCount = data ? Math.max(1, Math.ceil(data.total / data.pageSize)) : 1;
  const status = revokeUser.data ? adminMessages.revokedSessions(revokeUser.data.revoked) : '';
  const items = (data?.sessions ?? []).map((session, index, all) => ({
    session,
    now,
    isFirstOfUser: all.findIndex((other) => other.user?.id === session.user?.id) === index,
    isBusy: revokeSession.isPending || revokeUser.isPending,
    onRevoke: () => void onRevoke(session),
    onRevokeUser: (user: SessionOwner) => void onRevokeUser(user),
  }));

  return (
    <section className="card" aria-labelledby="admin-sessions-title" {...focusRescue}>
      <h2 id="admin-sessions-title" ref={headingRef} tabIndex={-1}>
        All sessions
      </h2>
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
      <FormAlert message={describeError(revokeSession.error ?? revokeUser.error, 'admin-action').alert} />
      {data ? (
        <>
          {items.length === 0 ? <p className="muted">{adminMessages.noSessions(email)}</p> : null}
          {items.length > 0 && isWide ? (
            <TableRegion label="All sessions table">
              <table>
                <thead>
                  <tr>
                    <th scope="col">User</th>
                    <th scope="col">Device</th>
                    <th scope="col">IP address</th>
                    <th scope="col">Sign-in method</th>
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
                  {items.map((item) => (
                    <AdminSessionRow key={item.session.handle} {...item} />
                  ))}
                </tbody>
              </table>
            </TableRegion>
          ) : null}
          {items.length > 0 && !isWide ? (
            <ul className="card-list">
              {items.map((item) => (
                <AdminSessionCard key={item.session.handle} {...item} />
              ))}
            </ul>
          ) : null}
          <nav className="pagination" aria-label="Session pages">
            <button type="button" className="button button-small" onClick={() => setPage((p) => p - 1)} disabled={page <= 1}>
              Previous
            </button>
            <span>{adminMessages.pageOf(data.page, pageCount, data.total)}</span>
            <button type="button" className="button button-small" onClick={() => setPage((p) => p + 1)} disabled={page >= pageCount}>
              Next
            </button>
          </nav>
        </>
      ) : (
        <QueryState query={sessions} what={adminMessages.sessions} />
      )}
      {dialog}
    </section>
  );
}

/** Device, address and times of a session, in the order both layouts show them. */
function sessionFacts(session: AdminSessionView, now: number): Array<[label: string, value: ReactNode]> {
  return [
    [
      'Device',
      <>
        {sessionTitle(session)}
        {session.deviceName ? <span className="muted"> · {describeDevice(session.device)}</span> : null}
        {session.deviceBound ? <span className="badge">{sessionMessages.deviceBound}</span> : null}
      </>,
    ],
    ['IP address', session.ip ?? commonMessages.unknown],
    ['Sign-in method', describeAuthMethods(session)],
    ['Created', <RelativeTime value={session.createdAt} now={now} isPast />],
    ['Last active', <RelativeTime value={session.lastActiveAt} now={now} isPast />],
    ['Idle expiry', <RelativeTime value={session.idleExpiresAt} now={now} />],
    ['Absolute expiry', <RelativeTime value={session.absoluteExpiresAt} now={now} />],
  ];
}

function RevokeAllButton({ user, isBusy, onRevokeUser }: { user: SessionOwner; isBusy: boolean; onRevokeUser: (user: SessionOwner) => void }) {
  return (
    <button type="button" className="link-button" {...whenIdle(isBusy, () => onRevokeUser(user))}>
      {adminMessages.revokeAllLabel(user.email)}
    </button>
  );
}

function RevokeButton({ session, isBusy, onRevoke }: Pick<SessionItemProps, 'session' | 'isBusy' | 'onRevoke'>) {
  return (
    <button
      type="button"
      className="button button-small button-danger"
      aria-label={adminMessages.revokeSessionLabel(session.user?.email ?? adminMessages.anonymousOwner, sessionTitle(session))}
      {...whenIdle(isBusy, onRevoke)}
    >
      Revoke
    </button>
  );
}

function AdminSessionRow({ session, now, isFirstOfUser, isBusy, onRevoke, onRevokeUser }: SessionItemProps) {
  const { user } = session;
  return (
    <tr>
      <th scope="row">
        {user ? (
          <div className="user-cell">
            <span>{user.name}</span>
            <span className="muted">
              <EmailText email={user.email} />
            </span>
            {isFirstOfUser ? <RevokeAllButton user={user} isBusy={isBusy} onRevokeUser={onRevokeUser} /> : null}
          </div>
        ) : (
          <span className="badge badge-danger">{adminMessages.anonymous}</span>
        )}
      </th>
      {sessionFacts(session, now).map(([label, value]) => (
        <td key={label}>{value}</td>
      ))}
      <td className="cell-action">
        <RevokeButton session={session} isBusy={isBusy} onRevoke={onRevoke} />
      </td>
    </tr>
  );
}

function AdminSessionCard({ session, now, isFirstOfUser, isBusy, onRevoke, onRevokeUser }: SessionItemProps) {
  const { user } = session;
  return (
    <li className="item-card">
      <div className="item-card-title">{user ? <h3>{user.name}</h3> : <span className="badge badge-danger">{adminMessages.anonymous}</span>}</div>
      {user ? (
        <p className="muted">
          <EmailText email={user.email} />
        </p>
      ) : null}
      <dl className="item-facts">
        {sessionFacts(session, now).map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <div className="actions">
        <RevokeButton session={session} isBusy={isBusy} onRevoke={onRevoke} />
        {user && isFirstOfUser ? <RevokeAllButton user={user} isBusy={isBusy} onRevokeUser={onRevokeUser} /> : null}
      </div>
    </li>
  );
}
