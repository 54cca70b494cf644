import { useEffect, useRef } from 'react';
import { Link, Navigate } from 'react-router';
import { useMutation, useQuery } from '@tanstack/react-query';
import { FormAlert } from '../../components/form-alert';
import { isApiError } from '../../lib/api-client';
import { describeError } from '../../lib/form-errors';
import { verificationMessages } from '../../messages/recovery';
import { authQueries } from '../auth/auth-queries';
import { useAuthSuccess } from '../auth/use-auth-success';
import { InvalidLink } from '../recovery/invalid-link';
import { useLinkToken } from '../recovery/link-token';
import { verificationApi } from './verification-api';

/**
 * Opened from a verification mail. After registration the link confirms the address and signs this
 * browser in (then the dashboard shows the address as verified); after a change of address it applies
 * the new one.
 */
export function VerifyEmailPage() {
  const token = useLinkToken();
  const onSignedIn = useAuthSuccess();
  const me = useQuery({ ...authQueries.me(), retry: false });
  const verify = useMutation({
    mutationFn: (linkToken: string) => verificationApi.verifyEmail(linkToken),
    onSuccess: async (result) => {
      if (result.isSignedIn || result.outcome === 'email_changed') await onSignedIn();
    },
  });
  // A link works once: it is followed exactly once per page, whatever re-renders or remounts do.
  const hasFollowed = useRef(false);
  const { mutate: follow } = verify;
  useEffect(() => {
    if (token === null || hasFollowed.current) return;
    hasFollowed.current = true;
    follow(token);
  }, [token, follow]);

  const retry = me.data ? { to: '/', label: verificationMessages.newLinkFromAccount } : { to: '/login', label: verificationMessages.signInForNewLink };
  if (token === null || isApiError(verify.error, 'invalid_token')) return <InvalidLink retry={retry} />;
  if (verify.error) {
    return (
      <div className="card narrow stack">
        <h1>Confirm your address</h1>
        <FormAlert message={describeError(verify.error, 'mail-link').alert} />
      </div>
    );
  }
  if (verify.data?.outcome === 'verified') return <Navigate to="/" replace />;
  if (verify.data?.outcome === 'email_changed') {
    return (
      <div className="card narrow stack">
        <title>{`${verificationMessages.addressChangedTitle} · Gatehouse`}</title>
        <h1>{verificationMessages.addressChangedTitle}</h1>
        <p role="status" className="status-message">
          {verificationMessages.addressChanged} <strong>{verify.data.user.email}</strong>. {verificationMessages.oldAddressTold}
        </p>
        <p>
          <Link to={verify.data.isSignedIn ? '/' : '/login'}>{verify.data.isSignedIn ? verificationMessages.backToAccount : 'Sign in'}</Link>
        </p>
      </div>
    );
  }
  return (
    <p className="loading" aria-busy="true">
      {verificationMessages.confirming}
    </p>
  );
}
