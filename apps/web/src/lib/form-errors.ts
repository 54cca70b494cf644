import { ApiError } from './api-client';

export type FieldErrors = Readonly<Record<string, string>>;

/** The part of a zod schema forms need (kept structural so the app does not import zod itself). */
interface FormSchema<T> {
  safeParse(
    values: unknown,
  ): { success: true; data: T } | { success: false; error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> } };
}

/** Checks a form against the same schema the API uses, so people see the API's own words sooner. */
export function validateFields<T>(schema: FormSchema<T>, values: unknown): { data: T; errors: null } | { data: null; errors: FieldErrors } {
  const result = schema.safeParse(values);
  if (result.success) return { data: result.data, errors: null };
  const errors: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const field = issue.path.map(String).join('.');
    errors[field] ??= issue.message;
  }
  return { data: null, errors };
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
