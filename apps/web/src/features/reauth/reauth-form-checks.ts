import type { ReauthRequest } from '@gatehouse/types/auth';
import { checkedForm, type CheckedForm } from '../../lib/form-errors';
import { formMessages } from '../../messages/forms';
import { secondFactorMessages } from '../../messages/second-factor';
import { givenPasswordProblem } from '../auth/auth-form-checks';

/**
 * The password dialog's check, beside it so the dashboard does not carry it (see auth-form-checks.ts).
 * `code` is checked only once the API asked for one (the account has an authenticator app).
 */
export function checkReauth(values: ReauthRequest): CheckedForm<ReauthRequest> {
  return checkedForm(values, {
    password: givenPasswordProblem(values.password, formMessages.enterPassword),
    code: values.code !== undefined && values.code.trim() === '' ? secondFactorMessages.codeMissing : null,
  });
}
