import { lazy, Suspense, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import { PASSWORD_MIN_LENGTH } from '@gatehouse/types/limits';
import type { RegisterRequest, RegisterResponse } from '@gatehouse/types/auth';
import { TextField } from '../../components/text-field';
import { FormAlert } from '../../components/form-alert';
import { isApiError } from '../../lib/api-client';
import { describeError, formText, type FieldErrors } from '../../lib/form-errors';
import { useFocusFirstProblem } from '../../lib/use-focus-first-problem';
import { authMessages } from '../../messages/auth';
import { registrationMessages } from '../../messages/registration';
import { authApi } from './auth-queries';
import { useAuthSuccess } from './use-auth-success';
import { checkRegistration } from './guest-form-checks';

const FIELDS = ['name', 'email', 'password'];

/** The password field with its strength meter: its own chunk, so the meter adds nothing to the first pages (PasswordField's comment). */
const PasswordField = lazy(() => import('../passwords/password-field'));

export function RegisterPage() {
  const formRef = useRef<HTMLFormElement>(null);
  const [clientErrors, setClientErrors] = useState<FieldErrors | null>(null);
  const register = useMutation({ mutationFn: (body: RegisterRequest) => authApi.register(body) });
  useFocusFirstProblem(formRef, clientErrors ?? register.error);

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

  const described = clientErrors ? { alert: null, fields: clientErrors } : describeError(register.error, 'register', FIELDS);
  const { fields } = described;
  // A breached password is said by the password field, under it.
  const alert = isApiError(register.error, 'password_breached') ? null : described.alert;

  // Registration starts no session and answers every address alike: the mail tells the rest (S34).
  if (register.data && register.variables) return <CheckInbox registered={register.variables} answer={register.data} />;

  return (
    <div className="card narrow">
      <title>Create account · Gatehouse</title>
      <h1>Create account</h1>
      <form ref={formRef} onSubmit={onSubmit} noValidate className="stack">
        <TextField label="Name" name="name" autoComplete="name" required error={fields.name} />
        <TextField label="Email" name="email" type="email" autoComplete="email" required error={fields.email} />
        <Suspense>
          <PasswordField
            label="Password"
            name="password"
            autoComplete="new-password"
            relatedFields={['name', 'email']}
            required
            hint={authMessages.newPasswordHint(PASSWORD_MIN_LENGTH)}
            error={fields.password}
            serverError={register.error}
          />
        </Suspense>
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
  const isSent = answer.mail === 'sent';
  return (
    <div className="card narrow stack">
      <title>{`${registrationMessages.checkInbox} · Gatehouse`}</title>
      <h1>{isSent ? registrationMessages.checkInbox : registrationMessages.accountReady}</h1>
      <p role="status" className="status-message">
        {isSent ? (
          <>
            {registrationMessages.mailSentTo} <strong>{registered.email}</strong>. {registrationMessages.mailSentNext}
          </>
        ) : (
          answer.message
        )}
      </p>
      <FormAlert message={describeError(login.error, 'sign-in').alert} />
      <p>
        <button type="button" className="button button-primary" disabled={login.isPending} onClick={() => login.mutate()}>
          Sign in now
        </button>
      </p>
    </div>
  );
}
