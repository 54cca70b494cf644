import { isApiError } from '../../lib/api-client';
import { describeError, type ErrorDescription } from '../../lib/form-errors';
import type { ErrorContext } from '../../messages/errors';
import { secondFactorErrorTexts, secondFactorMessages } from '../../messages/second-factor';

/** `describeError`, with the second-factor codes' own words (they are not in the shared catalogue). */
export function describeSecondFactorError(error: unknown, context: ErrorContext = 'second-factor', fieldNames: readonly string[] = []): ErrorDescription {
  if (isApiError(error) && Object.hasOwn(secondFactorErrorTexts, error.code)) {
    return { alert: secondFactorErrorTexts[error.code as keyof typeof secondFactorErrorTexts], fields: {} };
  }
  // Setting up a factor is what an unconfirmed address holds back here.
  if (isApiError(error, 'email_unverified')) return { alert: secondFactorMessages.confirmAddressFirst, fields: {} };
  return describeError(error, context, fieldNames);
}
