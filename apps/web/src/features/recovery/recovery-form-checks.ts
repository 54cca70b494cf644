import { EMAIL_MAX_LENGTH, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '@gatehouse/types/limits';
import { checkedForm, type CheckedForm } from '../../lib/form-errors';
import { formMessages } from '../../messages/forms';

/* The API's limits, checked by hand so no schema library reaches the browser; the API still decides. */

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function checkEmailOnly(value: string): CheckedForm<{ email: string }> {
  const email = value.trim().toLowerCase();
  const problem = email.length > EMAIL_MAX_LENGTH ? formMessages.emailTooLong : EMAIL_SHAPE.test(email) ? null : formMessages.enterEmail;
  return checkedForm({ email }, { email: problem });
}

export function checkNewPassword(password: string): CheckedForm<{ password: string }> {
  const problem =
    password.length < PASSWORD_MIN_LENGTH
      ? formMessages.atLeast(PASSWORD_MIN_LENGTH)
      : password.length > PASSWORD_MAX_LENGTH
        ? formMessages.atMost(PASSWORD_MAX_LENGTH)
        : null;
  return checkedForm({ password }, { password: problem });
}
