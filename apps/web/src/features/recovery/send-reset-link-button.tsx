import { useMutation } from '@tanstack/react-query';
import type { AdminSendResetLinkResponse } from '@gatehouse/types/admin';
import { whenIdle } from '../../components/when-idle';
import { apiRequest } from '../../lib/api-client';
import { formErrorMessage } from '../../lib/form-errors';
import { useWithReauth } from '../reauth/reauth-context';

const sendResetLink = (userId: string) =>
  apiRequest<AdminSendResetLinkResponse>(`/api/admin/users/${encodeURIComponent(userId)}/password-reset`, { method: 'POST' });

/** For the admin's user list: the user gets a link by mail; the administrator never sees it or a password. */
export function SendResetLinkButton({ userId, email }: { userId: string; email: string }) {
  const withReauth = useWithReauth();
  const send = useMutation({ mutationFn: withReauth(sendResetLink) });
  const outcome = send.data?.message ?? formErrorMessage(send.error);
  return (
    <>
      <button type="button" className="button button-small" aria-label={`Send a reset link to ${email}`} {...whenIdle(send.isPending, () => send.mutate(userId))}>
        Send reset link
      </button>
      {outcome ? (
        <span role="status" className={send.error ? 'field-error' : 'muted'}>
          {' '}
          {outcome}
        </span>
      ) : null}
    </>
  );
}
