import { Link } from 'react-router';
import { useMutation, useQuery } from '@tanstack/react-query';
import { FormAlert } from '../../components/form-alert';
import { whenIdle } from '../../components/when-idle';
import { describeError } from '../../lib/form-errors';
import { verificationMessages } from '../../messages/recovery';
import { authQueries } from '../auth/auth-queries';
import { ChangeEmailForm } from './change-email-form';
import { verificationApi } from './verification-api';

/** The account's address: a new confirmation link while it is unconfirmed, and changing it. */
export function EmailSettingsPage() {
  const user = useQuery(authQueries.me()).data?.user;
  const resend = useMutation({ mutationFn: () => verificationApi.resendVerification() });
  return (
    <div className="page">
      <title>Email address · Gatehouse</title>
      <h1>Email address</h1>
      <p className="lead">
        <Link to="/">Back to the dashboard</Link>
      </p>
      <div className="dashboard-grid">
        <section className="card stack-small" aria-labelledby="current-email-title">
          <h2 id="current-email-title">Your address</h2>
          {user ? (
            <p>
              {user.email}{' '}
              <span className={user.emailVerified ? 'badge badge-current' : 'badge badge-danger'}>
                {user.emailVerified ? verificationMessages.verified : verificationMessages.notVerified}
              </span>
            </p>
          ) : null}
          {user && !user.emailVerified ? (
            <>
              <p>{verificationMessages.resendHint}</p>
              {resend.data ? (
                <p role="status" className="status-message">
                  {resend.data.message}
                </p>
              ) : null}
              <FormAlert message={describeError(resend.error, 'session-action').alert} />
              <p>
                <button type="button" className="button" {...whenIdle(resend.isPending, () => resend.mutate())}>
                  Send a new link
                </button>
              </p>
            </>
          ) : null}
        </section>
        <section className="card stack-small" aria-labelledby="change-email-title">
          <h2 id="change-email-title">Change email</h2>
          <p>{verificationMessages.changeHint}</p>
          <ChangeEmailForm />
        </section>
      </div>
    </div>
  );
}
