import { lazy, Suspense, useState } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { FormAlert } from '../../components/form-alert';
import { whenIdle } from '../../components/when-idle';
import { formErrorMessage } from '../../lib/form-errors';
import { authQueries } from '../auth/auth-queries';
import { verificationApi } from './verification-api';

/** Changing the address is rare: its form is fetched when asked for, not with the dashboard. */
const ChangeEmailForm = lazy(async () => ({ default: (await import('./change-email-form')).ChangeEmailForm }));

function useResend() {
  return useMutation({ mutationFn: () => verificationApi.resendVerification() });
}

/** Until the address is confirmed (unconfirmed accounts may sign in, with this banner). */
export function UnverifiedEmailBanner() {
  const me = useQuery(authQueries.me());
  const resend = useResend();
  if (!me.data || me.data.user.emailVerified) return null;
  return (
    <div className="banner banner-warning stack-small" role="status">
      <p>
        Confirm your email address: follow the link we mailed to <strong>{me.data.user.email}</strong>.
      </p>
      {resend.data ? <p>{resend.data.message}</p> : null}
      <FormAlert message={formErrorMessage(resend.error)} />
      <p>
        <button type="button" className="button button-small" {...whenIdle(resend.isPending, () => resend.mutate())}>
          Send a new link
        </button>
      </p>
    </div>
  );
}

export function EmailSection() {
  const me = useQuery(authQueries.me());
  const [isChanging, setIsChanging] = useState(false);
  const user = me.data?.user;
  return (
    <section className="card" aria-labelledby="email-title">
      <h2 id="email-title">Email address</h2>
      {user ? (
        <div className="stack-small">
          <p>
            {user.email}{' '}
            {user.emailVerified ? <span className="badge badge-current">Verified</span> : <span className="badge badge-danger">Not verified</span>}
          </p>
          {isChanging ? (
            <Suspense fallback={<p className="loading">Loading…</p>}>
              <ChangeEmailForm onDone={() => setIsChanging(false)} />
            </Suspense>
          ) : (
            <p>
              <button type="button" className="button" onClick={() => setIsChanging(true)}>
                Change email
              </button>
            </p>
          )}
        </div>
      ) : null}
    </section>
  );
}
