import { lazy, Suspense, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ChangePasswordRequest } from '@gatehouse/types/auth';
import { TextField } from '../../components/text-field';
import { FormAlert } from '../../components/form-alert';
import { isApiError } from '../../lib/api-client';
import { describeError, formText, type FieldErrors } from '../../lib/form-errors';
import { useFocusFirstProblem } from '../../lib/use-focus-first-problem';
import { authMessages } from '../../messages/auth';
import { useWithReauth } from '../reauth/reauth-context';
import { sessionKeys } from '../sessions/session-queries';
import { activityKeys } from '../activity/activity-queries';
import { authApi, authKeys } from './auth-queries';
import { useSessionStatus } from './session-status-context';
import { checkPasswordChange } from './auth-form-checks';

const FIELDS = ['currentPassword', 'newPassword'];

/** The password field with its strength meter: its own chunk, so the meter adds nothing to the first pages (PasswordField's comment). */
const PasswordField = lazy(() => import('../passwords/password-field'));

export default function ChangePasswordSection() {
  const queryClient = useQueryClient();
  const sessionStatus = useSessionStatus();
  const withReauth = useWithReauth();
  const formRef = useRef<HTMLFormElement>(null);
  const [clientErrors, setClientErrors] = useState<FieldErrors | null>(null);
  const changePassword = useMutation({
    // The server gives this session a new id and ends all the others.
    mutationFn: withReauth((body: ChangePasswordRequest) => sessionStatus.whileRotating(() => authApi.changePassword(body))),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: sessionKeys.all }),
        queryClient.invalidateQueries({ queryKey: activityKeys.all }),
        queryClient.invalidateQueries({ queryKey: authKeys.me() }),
      ]),
  });
  useFocusFirstProblem(formRef, clientErrors ?? changePassword.error);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (changePassword.isPending) return;
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const { data, errors } = checkPasswordChange({
      currentPassword: formText(form, 'currentPassword'),
      newPassword: formText(form, 'newPassword'),
    });
    setClientErrors(errors);
    if (!data) {
      changePassword.reset();
      return;
    }
    changePassword.mutate(data, { onSuccess: () => formElement.reset() });
  };

  const described = clientErrors ? { alert: null, fields: clientErrors } : describeError(changePassword.error, 'change-password', FIELDS);
  const { fields } = described;
  // A breached password is said by the new-password field, under it.
  const alert = isApiError(changePassword.error, 'password_breached') ? null : described.alert;

  return (
    <section id="change-password" className="card" aria-labelledby="change-password-title">
      <h2 id="change-password-title">Change password</h2>
      <form ref={formRef} onSubmit={onSubmit} noValidate className="stack">
        <TextField label="Current password" name="currentPassword" type="password" autoComplete="current-password" required error={fields.currentPassword} />
        <Suspense>
          <PasswordField
            label="New password"
            name="newPassword"
            autoComplete="new-password"
            required
            hint={authMessages.changePasswordHint}
            error={fields.newPassword}
            serverError={changePassword.error}
          />
        </Suspense>
        <FormAlert message={alert} />
        <p role="status" className="status-message">
          {changePassword.data ? authMessages.passwordChanged(changePassword.data.endedSessions) : ''}
        </p>
        <button type="submit" className="button button-primary" aria-disabled={changePassword.isPending || undefined}>
          Change password
        </button>
      </form>
    </section>
  );
}
