import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { DateTime } from '../../lib/time-view';
import { formErrorMessage } from '../../lib/form-errors';
import { FormAlert } from '../../components/form-alert';
import { QueryState } from '../../components/query-state';
import { useWithReauth } from '../reauth/reauth-context';
import { adminApi, adminKeys, adminQueries } from './admin-queries';
import { TableRegion } from '../../components/table-region';
import { whenIdle } from '../../components/when-idle';
import { SendResetLinkButton } from '../recovery/send-reset-link-button';

export function AdminUsersSection() {
  const users = useQuery(adminQueries.users());
  const queryClient = useQueryClient();
  const withReauth = useWithReauth();
  const setDisabled = useMutation({
    mutationFn: withReauth(({ userId, isDisabled }: { userId: string; isDisabled: boolean }) =>
      adminApi.setUserDisabled(userId, isDisabled),
    ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: adminKeys.all }),
  });

  return (
    <section className="card" aria-labelledby="admin-users-title">
      <h2 id="admin-users-title">Users</h2>
      <FormAlert message={formErrorMessage(setDisabled.error)} />
      {users.data ? (
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
              {users.data.users.map((user) => (
                <tr key={user.id}>
                  <th scope="row">{user.name}</th>
                  <td>{user.email}</td>
                  <td>{user.role === 'admin' ? 'Administrator' : 'User'}</td>
                  <td>{user.isDisabled ? <span className="badge badge-danger">Disabled</span> : 'Active'}</td>
                  <td className="numeric">{user.sessionCount}</td>
                  <td>
                    <DateTime value={user.createdAt} isCompact />
                  </td>
                  <td className="cell-action">
                    <button
                      type="button"
                      className={user.isDisabled ? 'button button-small' : 'button button-small button-danger'}
                      aria-label={`${user.isDisabled ? 'Enable' : 'Disable'} ${user.email}`}
                      {...whenIdle(setDisabled.isPending && setDisabled.variables?.userId === user.id, () =>
                        setDisabled.mutate({ userId: user.id, isDisabled: !user.isDisabled }),
                      )}
                    >
                      {user.isDisabled ? 'Enable' : 'Disable'}
                    </button>{' '}
                    {user.isDisabled ? null : <SendResetLinkButton userId={user.id} email={user.email} />}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      ) : (
        <QueryState query={users} what="users" />
      )}
    </section>
  );
}
