import { ApiError } from './api-client';

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

export function fieldErrorsOf(error: unknown): FieldErrors {
  return error instanceof ApiError ? error.fields : {};
}

/** The sentence for the form's alert; field problems are shown by their fields instead. */
export function formErrorMessage(error: unknown): string | null {
  if (!error) return null;
  if (error instanceof ApiError) {
    if (error.code === 'validation_failed') return 'Please correct the highlighted fields.';
    if (error.code === 'too_many_requests' && error.retryAfter) {
      const minutes = Math.ceil(error.retryAfter / 60);
      return `${error.message} Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
    }
    if (error.code === 'service_unavailable') return 'Service unavailable, retrying…';
    return error.message;
  }
  return 'Something went wrong. Please try again.';
}
