import { useMutation } from '@tanstack/react-query';
import type { AdminSendResetLinkResponse, AdminUserView } from '@gatehouse/types/admin';
import { useConfirm } from '../../components/use-confirm';
import { whenIdle } from '../../components/when-idle';
import { apiRequest } from '../../lib/api-client';
import { describeError } from '../../lib/form-errors';
import { adminMessages } from '../../messages/admin';
import { useWithReauth } from '../reauth/reauth-context';

const sendResetLink = (userId: string) =>
  apiRequest<AdminSendResetLinkResponse>(`/api/admin/users/${encodeURIComponent(userId)}/password-reset`, { method: 'POST' });

/** For the admin's user list: the user gets a link by mail; the administrator never sees it or a password. */
export function SendResetLinkButton({ user }: { user: Pick<AdminUserView, 'id' | 'name' | 'email'> }) {
  const withReauth = useWithReauth();
  const { confirm, dialog } = useConfirm();
  const send = useMutation({ mutationFn: withReauth(sendResetLink) });
  const outcome = send.data?.message ?? describeError(send.error, 'admin-action').alert;

  const onSend = async () => {
    const isConfirmed = await confirm({
      title: adminMessages.confirmResetLinkTitle(user.name),
      body: <p>{adminMessages.confirmResetLinkBody(user.email)}</p>,
      confirmLabel: adminMessages.confirmResetLink,
    });
    if (isConfirmed) send.mutate(user.id);
  };

  return (
    <>
      <button
        type="button"
        className="button button-small"
        aria-label={adminMessages.sendResetLinkLabel(user.email)}
        {...whenIdle(send.isPending, () => void onSend())}
      >
        Send reset link
      </button>
      {outcome ? (
        <span role="status" className={send.error ? 'field-error' : 'muted'}>
          {outcome}
        </span>
      ) : null}
      {dialog}
    </>
  );
}
