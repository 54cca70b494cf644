import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import type { ForgotPasswordRequest } from '@gatehouse/types/recovery';
import { TextField } from '../../components/text-field';
import { FormAlert } from '../../components/form-alert';
import { fieldErrorsOf, formErrorMessage, formText, type FieldErrors } from '../../lib/form-errors';
import { checkEmailOnly } from './recovery-form-checks';
import { recoveryApi } from './recovery-api';

/** The same answer whether or not the address has an account: the server says so, this page repeats it. */
export function ForgotPasswordPage() {
  const [clientErrors, setClientErrors] = useState<FieldErrors | null>(null);
  const forgot = useMutation({ mutationFn: (body: ForgotPasswordRequest) => recoveryApi.forgotPassword(body) });

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const { data, errors } = checkEmailOnly(formText(new FormData(event.currentTarget), 'email'));
    setClientErrors(errors);
    if (data) forgot.mutate(data);
    else forgot.reset();
  };

  const fieldErrors = clientErrors ?? fieldErrorsOf(forgot.error);
  const alert = clientErrors ? 'Please correct the highlighted fields.' : formErrorMessage(forgot.error);

  return (
    <div className="card narrow">
      <title>Forgot password · Gatehouse</title>
      <h1>Forgot password</h1>
      {forgot.data ? (
        <div className="stack">
          <p role="status" className="status-message">
            {forgot.data.message}
          </p>
          <p>Nothing there? Look in your spam folder, or check the address and send another link.</p>
          <p>
            <button type="button" className="button" onClick={() => forgot.reset()}>
              Send another link
            </button>
          </p>
        </div>
      ) : (
        <form onSubmit={onSubmit} noValidate className="stack">
          <p>Enter the address of your account. We will mail you a link to set a new password.</p>
          <TextField label="Email" name="email" type="email" autoComplete="username" required error={fieldErrors.email} />
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
