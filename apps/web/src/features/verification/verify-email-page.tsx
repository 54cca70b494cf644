import { lazy, Suspense, useEffect, useRef } from 'react';
import { Link, Navigate, useNavigate } from 'react-router';
import { useMutation, useQuery } from '@tanstack/react-query';
import { FormAlert } from '../../components/form-alert';
import { EmailText } from '../../components/email-text';
import { isApiError } from '../../lib/api-client';
import { describeError } from '../../lib/form-errors';
import { verificationMessages } from '../../messages/recovery';
import { authQueries } from '../auth/auth-queries';
import { useAuthSuccess } from '../auth/use-auth-success';
import { useSignOut } from '../auth/use-sign-out';
import { InvalidLink } from '../recovery/invalid-link';
import { useLinkToken } from '../recovery/link-token';
import { verificationApi } from './verification-api';

/** Only accounts with a second factor meet it here, so its code comes when they do. */
const SecondFactorStep = lazy(() => import('../second-factor/second-factor-step'));

/**
 * Opened from a verification mail. After registration the link confirms the address and signs this
 * browser in (then the dashboard shows the address as verified); an account with a second factor then
 * takes the same second step as a password sign-in. After a change of address it applies the new one.
 * A browser signed in to another account is never switched over: the person signs out first.
 */
export function VerifyEmailPage() {
  const token = useLinkToken();
  const onSignedIn = useAuthSuccess();
  const navigate = useNavigate();
  const me = useQuery({ ...authQueries.me(), retry: false });
  const verify = useMutation({
    mutationFn: (linkToken: string) => verificationApi.verifyEmail(linkToken),
    onSuccess: async (result) => {
      if (result.secondFactorRequired) return;
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
  // The other account's session ends here, on purpose; the link is then followed again, signed out.
  const signOutAndRetry = useSignOut({
    onSignedOut: () => {
      if (token !== null) follow(token);
    },
  });

  const retry = me.data ? { to: '/', label: verificationMessages.newLinkFromAccount } : { to: '/login', label: verificationMessages.signInForNewLink };
  if (token === null || isApiError(verify.error, 'invalid_token')) return <InvalidLink retry={retry} />;
  if (isApiError(verify.error, 'signed_in_as_other')) {
    const otherAccount = verify.error.signedInAs ?? me.data?.user.email;
    return (
      <div className="card narrow stack">
        <title>{`${verificationMessages.confirmTitle} · Gatehouse`}</title>
        <h1>{verificationMessages.confirmTitle}</h1>
        <p role="alert" className="alert">
          {otherAccount ? (
            <>
              {verificationMessages.signedInAs} <EmailText email={otherAccount} />.
            </>
          ) : (
            verificationMessages.signedInAsOther
          )}{' '}
          {verificationMessages.signOutFirst}
        </p>
        <p>
          <button type="button" className="button button-primary" disabled={signOutAndRetry.isPending} onClick={() => signOutAndRetry.mutate()}>
            {verificationMessages.signOutAndContinue}
          </button>
        </p>
      </div>
    );
  }
  if (verify.error) {
    return (
      <div className="card narrow stack">
        <h1>{verificationMessages.confirmTitle}</h1>
        <FormAlert message={describeError(verify.error, 'mail-link').alert} />
      </div>
    );
  }
  if (verify.data?.secondFactorRequired) {
    return (
      <Suspense fallback={null}>
        <SecondFactorStep
          methods={verify.data.methods}
          onSignedIn={async () => {
            await onSignedIn();
            await navigate('/', { replace: true });
          }}
          onCancel={() => void navigate('/login', { replace: true })}
        />
      </Suspense>
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
