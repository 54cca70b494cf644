import { useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import type { ForgotPasswordRequest } from '@gatehouse/types/recovery';
import { TextField } from '../../components/text-field';
import { FormAlert } from '../../components/form-alert';
import { describeError, formText, type FieldErrors } from '../../lib/form-errors';
import { useFocusFirstProblem } from '../../lib/use-focus-first-problem';
import { recoveryMessages } from '../../messages/recovery';
import { checkEmailOnly } from '../auth/guest-form-checks';
import { recoveryApi } from './recovery-api';

const FIELDS = ['email'];

/** The same answer whether or not the address has an account: the server words it, this page shows it. */
export function ForgotPasswordPage() {
  const formRef = useRef<HTMLFormElement>(null);
  const [clientErrors, setClientErrors] = useState<FieldErrors | null>(null);
  const forgot = useMutation({ mutationFn: (body: ForgotPasswordRequest) => recoveryApi.forgotPassword(body) });
  useFocusFirstProblem(formRef, clientErrors ?? forgot.error);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const { data, errors } = checkEmailOnly(formText(new FormData(event.currentTarget), 'email'));
    setClientErrors(errors);
    if (data) forgot.mutate(data);
    else forgot.reset();
  };

  const { alert, fields } = clientErrors ? { alert: null, fields: clientErrors } : describeError(forgot.error, 'forgot-password', FIELDS);

  return (
    <div className="card narrow">
      <title>Forgot password · Gatehouse</title>
      <h1>Forgot password</h1>
      {forgot.data ? (
        <div className="stack">
          <p role="status" className="status-message">
            {forgot.data.message}
          </p>
          <p>{recoveryMessages.forgotNothingThere}</p>
          <p>
            <button type="button" className="button" onClick={() => forgot.reset()}>
              Send another link
            </button>
          </p>
        </div>
      ) : (
        <form ref={formRef} onSubmit={onSubmit} noValidate className="stack">
          <p>{recoveryMessages.forgotIntro}</p>
          <TextField label="Email" name="email" type="email" autoComplete="username" required error={fields.email} />
          <FormAlert message={alert} />
          <button type="submit" className="button button-primary" disabled={forgot.isPending}>
            Send reset link
          </button>
        </form>
      )}
      <p className="form-footer">
        Remembered it? <Link to="/login">Sign in</Link>
      </p>
    </div>
  );
}
