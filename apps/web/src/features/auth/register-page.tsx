import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import { PASSWORD_MIN_LENGTH } from '@gatehouse/types/limits';
import type { RegisterRequest } from '@gatehouse/types/auth';
import { TextField } from '../../components/text-field';
import { FormAlert } from '../../components/form-alert';
import { fieldErrorsOf, formErrorMessage, formText, type FieldErrors } from '../../lib/form-errors';
import { authApi } from './auth-queries';
import { useAuthSuccess } from './use-auth-success';
import { checkRegistration } from './auth-form-checks';

export function RegisterPage() {
  const onRegistered = useAuthSuccess();
  const [clientErrors, setClientErrors] = useState<FieldErrors | null>(null);
  const register = useMutation({
    mutationFn: (body: RegisterRequest) => authApi.register(body),
    onSuccess: onRegistered,
  });

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
