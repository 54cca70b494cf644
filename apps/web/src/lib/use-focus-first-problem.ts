import { useEffect, type RefObject } from 'react';

/**
 * After a failed submit, moves focus to the first field marked invalid or, when no field is at fault,
 * to the form's alert: keyboard and screen reader users land on what went wrong instead of on <body>.
 * `failure` is a new value on every failed attempt (an error object, a fresh set of field errors).
 */
export function useFocusFirstProblem(container: RefObject<HTMLElement | null>, failure: unknown): void {
  useEffect(() => {
    if (!failure) return;
    container.current?.querySelector<HTMLElement>('[aria-invalid="true"], [role="alert"]')?.focus();
  }, [container, failure]);
}
