import { lazy, Suspense, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery } from '@tanstack/react-query';
import { PASSWORD_MIN_LENGTH } from '@gatehouse/types/limits';
import { FormAlert } from '../../components/form-alert';
import { isApiError } from '../../lib/api-client';
import { describeError, formText, type FieldErrors } from '../../lib/form-errors';
import { useFocusFirstProblem } from '../../lib/use-focus-first-problem';
import { authMessages } from '../../messages/auth';
import { recoveryMessages } from '../../messages/recovery';
import { useAuthSuccess } from '../auth/use-auth-success';
import { InvalidLink } from './invalid-link';
import { useLinkToken } from './link-token';
import { checkNewPassword } from '../auth/guest-form-checks';
import { recoveryApi } from './recovery-api';

const ASK_AGAIN = { to: '/forgot-password', label: recoveryMessages.askAgain };
const FIELDS = ['password'];

/** The password field with its strength meter: its own chunk, so the meter adds nothing to the first pages (PasswordField's comment). */
const PasswordField = lazy(() => import('../passwords/password-field'));

/** Opened from the reset mail: checks the link first, so nobody types a password for a dead one. */
export function ResetPasswordPage() {
  const token = useLinkToken();
  const check = useQuery({
    queryKey: ['recovery', 'reset-link', token],
    queryFn: () => recoveryApi.checkResetToken(token ?? ''),
    enabled: token !== null,
    retry: false,
    staleTime: Infinity,
    gcTime: 0,
  });
  if (token === null || isApiError(check.error, 'invalid_token')) return <InvalidLink retry={ASK_AGAIN} />;
  if (check.error) {
    return (
      <div className="card narrow stack">
        <h1>Set a new password</h1>
        <FormAlert message={describeError(check.error, 'mail-link').alert} />
      </div>
    );
  }
  if (!check.data) {
    return (
      <p className="loading" aria-busy="true">
        {recoveryMessages.checkingLink}
      </p>
    );
  }
  return <NewPasswordForm token={token} email={check.data.email} />;
}

function NewPasswordForm({ token, email }: { token: string; email: string }) {
  const onAccountChanged = useAuthSuccess();
  const formRef = useRef<HTMLFormElement>(null);
  const [clientErrors, setClientErrors] = useState<FieldErrors | null>(null);
  const reset = useMutation({
    mutationFn: (password: string) => recoveryApi.resetPassword({ token, password }),
    // Every session of the account ended, this browser's too if it had one.
    onSuccess: onAccountChanged,
  });
  useFocusFirstProblem(formRef, clientErrors ?? reset.error);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const { data, errors } = checkNewPassword(formText(new FormData(event.currentTarget), 'password'));
    setClientErrors(errors);
    if (data) reset.mutate(data.password);
    else reset.reset();
  };

  if (isApiError(reset.error, 'invalid_token')) return <InvalidLink retry={ASK_AGAIN} />;
  if (reset.data) {
    return (
      <div className="card narrow stack">
        <title>Password changed · Gatehouse</title>
        <h1>Password changed</h1>
        <p role="status" className="status-message">
          {recoveryMessages.passwordReset(reset.data.endedSessions)}
        </p>
        <p>
          <Link to="/login" className="button button-primary">
            Sign in
          </Link>
        </p>
      </div>
    );
  }

  const described = clientErrors ? { alert: null, fields: clientErrors } : describeError(reset.error, 'mail-link', FIELDS);
  const { fields } = described;
  // A breached password is said by the password field, under it.
  const alert = isApiError(reset.error, 'password_breached') ? null : described.alert;
  return (
    <div className="card narrow">
      <title>Set a new password · Gatehouse</title>
      <h1>Set a new password</h1>
      <form ref={formRef} onSubmit={onSubmit} noValidate className="stack">
        <p>
          {recoveryMessages.resetFor} <strong>{email}</strong>. {recoveryMessages.resetSignsOut}
        </p>
        {/* Lets password managers store the new password with the right account. */}
        <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
        <Suspense>
          <PasswordField
            label="New password"
            name="password"
            autoComplete="new-password"
            relatedFields={['username']}
            required
            hint={authMessages.newPasswordHint(PASSWORD_MIN_LENGTH)}
            error={fields.password}
            serverError={reset.error}
          />
        </Suspense>
        <FormAlert message={alert} />
        <button type="submit" className="button button-primary" disabled={reset.isPending}>
          Set new password
        </button>
      </form>
    </div>
  );
}
