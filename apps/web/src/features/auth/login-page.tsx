import { lazy, Suspense, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import type { LoginRequest } from '@gatehouse/types/auth';
import type { SecondFactorMethod } from '@gatehouse/types/second-factor';
import { TextField } from '../../components/text-field';
import { FormAlert } from '../../components/form-alert';
import { describeError, formText, type FieldErrors } from '../../lib/form-errors';
import { useFocusFirstProblem } from '../../lib/use-focus-first-problem';
import { authApi } from './auth-queries';
import { useAuthSuccess } from './use-auth-success';
import { checkLogin } from './guest-form-checks';
import { PasskeySignIn } from '../passkeys/passkey-sign-in';

/** Only accounts with a second factor see it, so its code comes when they need it. */
const SecondFactorStep = lazy(() => import('../second-factor/second-factor-step'));
// Sign-in with a provider, and what its redirect back says: after the form, and only as long as the list is.
const OidcSignIn = lazy(() => import('../oidc/oidc-sign-in'));
const OidcSignInError = lazy(() => import('../oidc/oidc-sign-in-error'));
// Loaded after a failed sign-in; shows something only at the session cap (SESSION_LIMIT_POLICY=refuse).
const SessionLimitChoice = lazy(() => import('../session-limit/session-limit-choice'));

const FIELDS = ['email', 'password'];

export function LoginPage() {
  const onSignedIn = useAuthSuccess();
  const formRef = useRef<HTMLFormElement>(null);
  const [clientErrors, setClientErrors] = useState<FieldErrors | null>(null);
  const [secondStep, setSecondStep] = useState<SecondFactorMethod[] | null>(null);
  const rememberMeRef = useRef<HTMLInputElement>(null);
  const login = useMutation({
    mutationFn: (body: LoginRequest) => authApi.login(body),
    onSuccess: (result) => ('secondFactorRequired' in result ? setSecondStep(result.methods) : onSignedIn()),
  });
  useFocusFirstProblem(formRef, clientErrors ?? login.error);

  if (secondStep) {
    return (
      <Suspense fallback={null}>
        <SecondFactorStep
          methods={secondStep}
          onSignedIn={onSignedIn}
          onCancel={() => {
            login.reset();
            setSecondStep(null);
          }}
        />
      </Suspense>
    );
  }

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const { data, errors } = checkLogin({
      email: formText(form, 'email'),
      password: formText(form, 'password'),
      rememberMe: form.get('rememberMe') === 'on',
    });
    setClientErrors(errors);
    if (data) login.mutate(data);
    else login.reset();
  };

  const { alert, fields } = clientErrors ? { alert: null, fields: clientErrors } : describeError(login.error, 'sign-in', FIELDS);

  return (
    <div className="card narrow">
      <title>Sign in · Gatehouse</title>
      <h1>Sign in</h1>
      <Suspense>
        <OidcSignInError />
      </Suspense>
      <form ref={formRef} onSubmit={onSubmit} noValidate className="stack">
        {/* "webauthn" lets the browser offer passkeys in this field's autofill. */}
        <TextField label="Email" name="email" type="email" autoComplete="username webauthn" required error={fields.email} />
        <TextField label="Password" name="password" type="password" autoComplete="current-password" required error={fields.password} />
        <div className="checkbox-field">
          <input id="remember-me" name="rememberMe" type="checkbox" ref={rememberMeRef} />
          <label htmlFor="remember-me">Remember me</label>
        </div>
        <FormAlert message={alert} />
        <button type="submit" className="button button-primary" disabled={login.isPending}>
          Sign in
        </button>
      </form>
      {login.error && (
        <Suspense>
          <SessionLimitChoice error={login.error} onSignedIn={onSignedIn} onSecondStep={setSecondStep} />
        </Suspense>
      )}
      <Suspense>
        <OidcSignIn onSecondStep={setSecondStep} />
      </Suspense>
      <PasskeySignIn isRememberMe={() => rememberMeRef.current?.checked === true} onSignedIn={onSignedIn} />
      <p className="form-footer">
        <Link to="/forgot-password">Forgot password?</Link>
      </p>
      <p className="form-footer">
        New here? <Link to="/register">Create account</Link>
      </p>
    </div>
  );
}
