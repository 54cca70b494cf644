import { EMAIL_MAX_LENGTH, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '@gatehouse/types/limits';
import type { ChangePasswordRequest } from '@gatehouse/types/auth';
import { checkedForm, type CheckedForm } from '../../lib/form-errors';
import { formMessages } from '../../messages/forms';

/*
 * The same limits and messages as the API's request schemas, checked by hand so the browser needs no
 * schema library (the wording lives in messages/forms.ts). The API still decides: whatever it
 * refuses comes back as field errors. The signed-out forms' checks are in guest-form-checks.ts and the
 * password dialog's in reauth/reauth-form-checks.ts, so the dashboard does not carry them.
 */

/** Deliberately loose: the API's stricter check answers with its own message for the field. */
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const normaliseEmail = (email: string) => email.trim().toLowerCase();

export function emailProblem(email: string): string | null {
  if (email.length > EMAIL_MAX_LENGTH) return formMessages.emailTooLong;
  return EMAIL_SHAPE.test(email) ? null : formMessages.enterEmail;
}

export function newPasswordProblem(password: string): string | null {
  if (password.length < PASSWORD_MIN_LENGTH) return formMessages.atLeast(PASSWORD_MIN_LENGTH);
  if (password.length > PASSWORD_MAX_LENGTH) return formMessages.atMost(PASSWORD_MAX_LENGTH);
  return null;
}

/** A password being proven rather than chosen: only its presence (and the hashing bound) is checked. */
export function givenPasswordProblem(password: string, whenMissing: string): string | null {
  if (password.length === 0) return whenMissing;
  if (password.length > PASSWORD_MAX_LENGTH) return formMessages.atMost(PASSWORD_MAX_LENGTH);
  return null;
}

export function checkPasswordChange(values: ChangePasswordRequest): CheckedForm<ChangePasswordRequest> {
  return checkedForm(values, {
    currentPassword: givenPasswordProblem(values.currentPassword, formMessages.enterCurrentPassword),
    newPassword: newPasswordProblem(values.newPassword),
  });
}
