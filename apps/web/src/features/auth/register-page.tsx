import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import { PASSWORD_MIN_LENGTH } from '@gatehouse/types/limits';
import type { RegisterRequest, RegisterResponse } from '@gatehouse/types/auth';
import { TextField } from '../../components/text-field';
import { FormAlert } from '../../components/form-alert';
import { fieldErrorsOf, formErrorMessage, formText, type FieldErrors } from '../../lib/form-errors';
import { authApi } from './auth-queries';
import { useAuthSuccess } from './use-auth-success';
import { checkRegistration } from './auth-form-checks';

export function RegisterPage() {
  const [clientErrors, setClientErrors] = useState<FieldErrors | null>(null);
  const register = useMutation({ mutationFn: (body: RegisterRequest) => authApi.register(body) });

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const { data, errors } = checkRegistration({
      name: formText(form, 'name'),
      email: formText(form, 'email'),
      password: formText(form, 'password'),
    });
    setClientErrors(errors);
    if (data) register.mutate(data);
    else register.reset();
  };

  const fieldErrors = clientErrors ?? fieldErrorsOf(register.error);
  const alert = clientErrors ? 'Please correct the highlighted fields.' : formErrorMessage(register.error);

  // Registration starts no session and answers every address alike: the mail tells the rest.
  if (register.data && register.variables) return <CheckInbox registered={register.variables} answer={register.data} />;

  return (
    <div className="card narrow">
      <title>Create account · Gatehouse</title>
      <h1>Create account</h1>
      <form onSubmit={onSubmit} noValidate className="stack">
        <TextField label="Name" name="name" autoComplete="name" required error={fieldErrors.name} />
        <TextField label="Email" name="email" type="email" autoComplete="email" required error={fieldErrors.email} />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          hint={`At least ${PASSWORD_MIN_LENGTH} characters. A few unrelated words make a strong password.`}
          error={fieldErrors.password}
        />
        <FormAlert message={alert} />
        <button type="submit" className="button button-primary" disabled={register.isPending}>
          Create account
        </button>
      </form>
      <p className="form-footer">
        Already have an account? <Link to="/login">Sign in</Link>
      </p>
    </div>
  );
}

/** "Check your inbox", and signing in right away with what was just typed (unconfirmed accounts may sign in). */
function CheckInbox({ registered, answer }: { registered: RegisterRequest; answer: RegisterResponse }) {
  const onSignedIn = useAuthSuccess();
  const login = useMutation({
    mutationFn: () => authApi.login({ email: registered.email, password: registered.password }),
    onSuccess: onSignedIn,
  });
  return (
    <div className="card narrow stack">
      <title>Check your inbox · Gatehouse</title>
      <h1>{answer.mail === 'sent' ? 'Check your inbox' : 'Account ready'}</h1>
      <p role="status" className="status-message">
        {answer.mail === 'sent' ? (
          <>
            We sent a mail to <strong>{registered.email}</strong>. Follow its link to confirm your address and sign in.
          </>
        ) : (
          answer.message
        )}
      </p>
      <FormAlert message={formErrorMessage(login.error)} />
      <p>
        <button type="button" className="button button-primary" disabled={login.isPending} onClick={() => login.mutate()}>
          Sign in now
        </button>
      </p>
    </div>
  );
}
