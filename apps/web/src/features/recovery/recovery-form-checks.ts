import { EMAIL_MAX_LENGTH, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '@gatehouse/types/limits';
import { checkedForm, type CheckedForm } from '../../lib/form-errors';

/* The API's limits and messages, checked by hand so no schema library reaches the browser. */

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function checkEmailOnly(value: string): CheckedForm<{ email: string }> {
  const email = value.trim().toLowerCase();
  const problem = email.length > EMAIL_MAX_LENGTH ? 'Email is too long' : EMAIL_SHAPE.test(email) ? null : 'Enter a valid email address';
  return checkedForm({ email }, { email: problem });
}

export function checkNewPassword(password: string): CheckedForm<{ password: string }> {
  const problem =
    password.length < PASSWORD_MIN_LENGTH
      ? `Use at least ${PASSWORD_MIN_LENGTH} characters`
      : password.length > PASSWORD_MAX_LENGTH
        ? `Use at most ${PASSWORD_MAX_LENGTH} characters`
        : null;
  return checkedForm({ password }, { password: problem });
}
