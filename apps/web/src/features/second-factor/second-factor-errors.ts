import { isApiError } from '../../lib/api-client';
import { describeError, type ErrorDescription } from '../../lib/form-errors';
import type { ErrorContext } from '../../messages/errors';
import { secondFactorErrorTexts } from '../../messages/second-factor';

/** `describeError`, with the second-factor codes' own words (they are not in the shared catalogue). */
export function describeSecondFactorError(error: unknown, context: ErrorContext = 'second-factor', fieldNames: readonly string[] = []): ErrorDescription {
  if (isApiError(error) && Object.hasOwn(secondFactorErrorTexts, error.code)) {
    return { alert: secondFactorErrorTexts[error.code as keyof typeof secondFactorErrorTexts], fields: {} };
  }
  return describeError(error, context, fieldNames);
}
