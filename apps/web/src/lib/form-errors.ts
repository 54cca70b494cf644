import { isApiError } from './api-client';
import { errorField, errorMessages, errorText, type ErrorContext } from '../messages/errors';
import { formatApproximateDuration } from './format-time';

export type FieldErrors = Readonly<Record<string, string>>;

/** A form checked in the browser: the values to send, or the message for each field that needs another look. */
export type CheckedForm<T> = { data: T; errors: null } | { data: null; errors: FieldErrors };

/** `problems` maps each field to its message, or to null when the field is fine. */
export function checkedForm<T>(data: T, problems: Readonly<Record<string, string | null>>): CheckedForm<T> {
  const errors: Record<string, string> = {};
  for (const [field, problem] of Object.entries(problems)) if (problem !== null) errors[field] = problem;
  return Object.keys(errors).length > 0 ? { data: null, errors } : { data, errors: null };
}

/** A text input's value; a missing field reads as empty. */
export function formText(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
}

/** What a failed request means for a form: a sentence for the whole form, and messages by field. */
export interface ErrorDescription {
  alert: string | null;
  fields: FieldErrors;
}

const NO_ERROR: ErrorDescription = { alert: null, fields: {} };

/**
 * Turns a failed request into the catalogue's words for this form. Each problem is said once: by
 * its field when it belongs to one of `fieldNames`, otherwise in the alert. A code the catalogue
 * does not know yet (a newer API) keeps the API's own message.
 */
export function describeError(error: unknown, context: ErrorContext, fieldNames: readonly string[] = []): ErrorDescription {
  if (!error) return NO_ERROR;
  if (!isApiError(error)) return { alert: errorMessages.unexpected, fields: {} };

  const onForm = (field: string) => fieldNames.includes(field);
  if (error.code === 'validation_failed') {
    const fields: Record<string, string> = {};
    const elsewhere: string[] = [];
    for (const [field, message] of Object.entries(error.fields)) {
      if (onForm(field)) fields[field] = message;
      else elsewhere.push(message);
    }
    const hasFields = Object.keys(fields).length > 0;
    return { alert: elsewhere.length > 0 ? elsewhere.join(' ') : hasFields ? null : (errorText(error.code, context) ?? null), fields };
  }

  const text =
    error.code === 'too_many_requests' && error.retryAfter
      ? errorMessages.tooManyAttempts(formatApproximateDuration(error.retryAfter))
      : errorText(error.code, context);
  const message = text === undefined ? error.message : text;
  if (message === null) return NO_ERROR;
  const field = errorField(error.code, context);
  return field && onForm(field) ? { alert: null, fields: { [field]: message } } : { alert: message, fields: {} };
}
