import { NAME_MAX_LENGTH } from '@gatehouse/types/limits';
import type { LoginRequest, RegisterRequest } from '@gatehouse/types/auth';
import { checkedForm, type CheckedForm } from '../../lib/form-errors';
import { formMessages } from '../../messages/forms';
import { emailProblem, givenPasswordProblem, newPasswordProblem, normaliseEmail } from './auth-form-checks';

/* The checks of the forms signed-out visitors fill in (sign-in, registration, links from mail). */

export function checkLogin(values: { email: string; password: string; rememberMe: boolean }): CheckedForm<LoginRequest> {
  const email = normaliseEmail(values.email);
  return checkedForm(
    { email, password: values.password, rememberMe: values.rememberMe },
    { email: emailProblem(email), password: givenPasswordProblem(values.password, formMessages.enterPassword) },
  );
}

export function checkRegistration(values: { name: string; email: string; password: string }): CheckedForm<RegisterRequest> {
  const name = values.name.trim();
  const email = normaliseEmail(values.email);
  const nameProblem = name.length === 0 ? formMessages.enterName : name.length > NAME_MAX_LENGTH ? formMessages.atMost(NAME_MAX_LENGTH) : null;
  return checkedForm(
    { name, email, password: values.password },
    { name: nameProblem, email: emailProblem(email), password: newPasswordProblem(values.password) },
  );
}

export function checkEmailOnly(value: string): CheckedForm<{ email: string }> {
  const email = normaliseEmail(value);
  return checkedForm({ email }, { email: emailProblem(email) });
}

export function checkNewPassword(password: string): CheckedForm<{ password: string }> {
  return checkedForm({ password }, { password: newPasswordProblem(password) });
}
