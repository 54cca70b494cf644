import { useEffect, useRef } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { FormAlert } from '../../components/form-alert';
import { isApiError } from '../../lib/api-client';
import { describeError } from '../../lib/form-errors';
import { verificationMessages } from '../../messages/recovery';
import { authKeys, authQueries } from '../auth/auth-queries';
import { InvalidLink } from '../recovery/invalid-link';
import { useLinkToken } from '../recovery/link-token';
import { verificationApi } from './verification-api';

/**
 * Opened from the mail to the old address when a change of address was asked for: calls the change
 * off, signed in or not (the link itself is the proof), as long as it has not applied.
 */
export function CancelEmailChangePage() {
  const token = useLinkToken();
  const queryClient = useQueryClient();
  const me = useQuery({ ...authQueries.me(), retry: false });
  const cancel = useMutation({
    mutationFn: (linkToken: string) => verificationApi.cancelEmailChange(linkToken),
    // A signed-in account page may be showing the address that is no longer on its way.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: authKeys.me() }),
  });
  // A link works once: it is followed exactly once per page, whatever re-renders or remounts do.
  const hasFollowed = useRef(false);
  const { mutate: follow } = cancel;
  useEffect(() => {
    if (token === null || hasFollowed.current) return;
    hasFollowed.current = true;
    follow(token);
  }, [token, follow]);

  const onward = me.data ? { to: '/', label: verificationMessages.backToAccount } : { to: '/login', label: 'Sign in' };
  if (token === null || isApiError(cancel.error, 'invalid_token')) return <InvalidLink retry={onward} />;
  if (cancel.error) {
    return (
      <div className="card narrow stack">
        <title>{`${verificationMessages.cancelTitle} · Gatehouse`}</title>
        <h1>{verificationMessages.cancelTitle}</h1>
        <FormAlert message={describeError(cancel.error, 'mail-link').alert} />
      </div>
    );
  }
  if (cancel.data) {
    return (
      <div className="card narrow stack">
        <title>{`${verificationMessages.cancelTitle} · Gatehouse`}</title>
        <h1>{verificationMessages.cancelTitle}</h1>
        <p role="status" className="status-message">
          {cancel.data.message}
        </p>
        <p>
          <Link to={onward.to}>{onward.label}</Link>
        </p>
      </div>
    );
  }
  return (
    <p className="loading" aria-busy="true">
      {verificationMessages.cancellingChange}
    </p>
  );
}
