import { Suspense, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AdminUserView } from '@gatehouse/types/admin';
import type { Role } from '@gatehouse/types/users';
import { RelativeTime } from '../../lib/time-view';
import { useNow } from '../../lib/use-now';
import { useMediaQuery } from '../../lib/use-media-query';
import { describeError } from '../../lib/form-errors';
import { FormAlert } from '../../components/form-alert';
import { QueryState } from '../../components/query-state';
import { TableRegion } from '../../components/table-region';
import { EmailText } from '../../components/email-text';
import { LazyConfirmDialog, useConfirm } from '../../components/use-confirm';
import { whenIdle } from '../../components/when-idle';
import { adminMessages } from '../../messages/admin';
import { formatList } from '../../messages/intl';
import { authQueries } from '../auth/auth-queries';
import { useWithReauth } from '../reauth/reauth-context';
import { SendResetLinkButton } from '../recovery/send-reset-link-button';
import { adminApi, adminKeys, adminQueries } from './admin-queries';

const WIDE_ENOUGH_FOR_TABLE = '(min-width: 48rem)';
const ROLES: readonly Role[] = ['user', 'admin'];

interface UserItemProps {
  user: AdminUserView;
  now: number;
  /** The administrator's own account: disabling it or changing its role would only fail. */
  isSelf: boolean;
  isBusy: boolean;
  onToggleDisabled: () => void;
  onChangeRole: () => void;
}

export function AdminUsersSection() {
  const users = useQuery(adminQueries.users());
  const me = useQuery(authQueries.me());
  const queryClient = useQueryClient();
  const withReauth = useWithReauth();
  const { confirm, dialog } = useConfirm();
  const [roleChangeOf, setRoleChangeOf] = useState<AdminUserView | null>(null);
  const isWide = useMediaQuery(WIDE_ENOUGH_FOR_TABLE, true);
  const now = useNow();

  const refresh = () => queryClient.invalidateQueries({ queryKey: adminKeys.all });
  const setDisabled = useMutation({
    mutationFn: withReauth(({ user, isDisabled }: { user: AdminUserView; isDisabled: boolean }) => adminApi.setUserDisabled(user.id, isDisabled)),
    onSuccess: refresh,
  });
  const setRole = useMutation({
    mutationFn: withReauth(({ user, role }: { user: AdminUserView; role: Role }) => adminApi.setUserRole(user.id, { role })),
    onSuccess: refresh,
  });

  const onToggleDisabled = async (user: AdminUserView) => {
    if (user.isDisabled) {
      setDisabled.mutate({ user, isDisabled: false });
      return;
    }
    const isConfirmed = await confirm({
      title: adminMessages.confirmDisableTitle(user.name),
      body: <p>{adminMessages.confirmDisableBody(user.email)}</p>,
      confirmLabel: adminMessages.confirmDisable,
    });
    if (isConfirmed) setDisabled.mutate({ user, isDisabled: true });
  };

  const status = setRole.data
    ? adminMessages.roleChanged(setRole.data.user.email, adminMessages.roles[setRole.data.user.role])
    : setDisabled.data
      ? (setDisabled.data.user.isDisabled ? adminMessages.disabledUser : adminMessages.enabledUser)(setDisabled.data.user.email)
      : '';
  const isBusy = (user: AdminUserView) =>
    (setDisabled.isPending && setDisabled.variables.user.id === user.id) || (setRole.isPending && setRole.variables.user.id === user.id);
  const items = (users.data?.users ?? []).map((user) => ({
    user,
    now,
    isSelf: user.id === me.data?.user.id,
    isBusy: isBusy(user),
    onToggleDisabled: () => void onToggleDisabled(user),
    onChangeRole: () => {
      setRole.reset();
      setDisabled.reset();
      setRoleChangeOf(user);
    },
  }));

  return (
    <section className="card" aria-labelledby="admin-users-title">
      <h2 id="admin-users-title">Users</h2>
      <p role="status" className="status-message">
        {status}
      </p>
      <FormAlert message={describeError(setDisabled.error ?? setRole.error, 'admin-action').alert} />
      {users.data ? (
        isWide ? (
          <TableRegion label="Users table">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="numeric">
                    Sessions
                  </th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((item) => (
                  <UserRow key={item.user.id} {...item} />
                ))}
              </tbody>
            </table>
          </TableRegion>
        ) : (
          <ul className="card-list">
            {items.map((item) => (
              <UserCard key={item.user.id} {...item} />
            ))}
          </ul>
        )
      ) : (
        <QueryState query={users} what={adminMessages.users} />
      )}
      {dialog}
      {roleChangeOf ? (
        <Suspense fallback={null}>
          <ChangeRoleDialog
            user={roleChangeOf}
            onAnswer={(role) => {
              setRoleChangeOf(null);
              if (role) setRole.mutate({ user: roleChangeOf, role });
            }}
          />
        </Suspense>
      ) : null}
    </section>
  );
}

/** Asks for the new role; answers the chosen role, or null when cancelled. */
function ChangeRoleDialog({ user, onAnswer }: { user: AdminUserView; onAnswer: (role: Role | null) => void }) {
  // There are two roles: whoever asks to change one most likely wants the other.
  const [role, setRole] = useState<Role>(user.role === 'admin' ? 'user' : 'admin');
  return (
    <LazyConfirmDialog
      title={adminMessages.confirmRoleTitle(user.name)}
      body={<p>{adminMessages.confirmRoleBody(adminMessages.roles[user.role])}</p>}
      confirmLabel={adminMessages.confirmRole}
      canConfirm={role !== user.role}
      onAnswer={(isConfirmed) => onAnswer(isConfirmed ? role : null)}
    >
      <fieldset className="choices">
        <legend>{adminMessages.newRole}</legend>
        {ROLES.map((option) => (
          <div key={option} className="choice">
            <input
              id={`role-${option}`}
              type="radio"
              name="role"
              value={option}
              checked={role === option}
              onChange={() => setRole(option)}
              aria-describedby={`role-${option}-description`}
            />
            <label htmlFor={`role-${option}`}>{adminMessages.roles[option]}</label>
            <p id={`role-${option}-description`} className="field-hint">
              {adminMessages.roleDescriptions[option]}
            </p>
          </div>
        ))}
      </fieldset>
    </LazyConfirmDialog>
  );
}

function StatusBadges({ user, isSelf }: { user: AdminUserView; isSelf: boolean }) {
  return (
    <>
      {user.isDisabled ? <span className="badge badge-danger">{adminMessages.disabled}</span> : null}
      {isSelf ? <span className="badge badge-current">{adminMessages.you}</span> : null}
    </>
  );
}

function UserActions({ user, isSelf, isBusy, onToggleDisabled, onChangeRole }: Omit<UserItemProps, 'now'>) {
  if (isSelf) return null;
  return (
    <div className="actions actions-end">
      <button type="button" className="button button-small" aria-label={adminMessages.changeRoleLabel(user.email)} {...whenIdle(isBusy, onChangeRole)}>
        Change role
      </button>
      {user.isDisabled ? null : <SendResetLinkButton user={user} />}
      <button
        type="button"
        className={user.isDisabled ? 'button button-small' : 'button button-small button-danger'}
        aria-label={(user.isDisabled ? adminMessages.enableLabel : adminMessages.disableLabel)(user.email)}
        {...whenIdle(isBusy, onToggleDisabled)}
      >
        {user.isDisabled ? 'Enable' : 'Disable'}
      </button>
    </div>
  );
}

function UserRow(props: UserItemProps) {
  const { user, now, isSelf } = props;
  return (
    <tr>
      <th scope="row">{user.name}</th>
      <td>
        <EmailText email={user.email} />
        <Connections names={user.connections} />
      </td>
      <td>{adminMessages.roles[user.role]}</td>
      <td>{user.isDisabled || isSelf ? <StatusBadges user={user} isSelf={isSelf} /> : adminMessages.active}</td>
      <td className="numeric">{user.sessionCount}</td>
      <td>
        <RelativeTime value={user.createdAt} now={now} isPast />
      </td>
      <td className="cell-action">
        <UserActions {...props} />
      </td>
    </tr>
  );
}

function UserCard(props: UserItemProps) {
  const { user, now, isSelf } = props;
  return (
    <li className="item-card">
      <div className="item-card-title">
        <h3>{user.name}</h3>
        <StatusBadges user={user} isSelf={isSelf} />
      </div>
      <p className="muted">
        <EmailText email={user.email} />
      </p>
      <Connections names={user.connections} />
      <dl className="item-facts">
        <div>
          <dt>Role</dt>
          <dd>{adminMessages.roles[user.role]}</dd>
        </div>
        <div>
          <dt>Sessions</dt>
          <dd>{user.sessionCount}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>
            <RelativeTime value={user.createdAt} now={now} isPast />
          </dd>
        </div>
      </dl>
      <UserActions {...props} />
    </li>
  );
}

/** The identity providers the account can sign in with, when it has any. */
function Connections({ names }: { names: readonly string[] }) {
  return names.length > 0 ? <div className="muted">{adminMessages.connections(formatList(names))}</div> : null;
}
