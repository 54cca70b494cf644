import { isApiError } from '../../lib/api-client';
import { describeError } from '../../lib/form-errors';
import { passkeyMessages } from '../../messages/passkeys';

/** The passkey code, fetched on first use (see webauthn-client.ts). */
export const loadWebAuthn = () => import('./webauthn-client');

/**
 * The sentence for a failed passkey ceremony. The API's refusals carry their own; the browser's (the
 * person closed the dialog, no passkey on this device, timeout) all read as one thing to do: try again.
 */
export function passkeyErrorMessage(error: unknown): string | null {
  if (!error) return null;
  if (isApiError(error, 'passkey_rejected')) return passkeyMessages.rejected;
  if (isApiError(error)) return describeError(error, 'passkey').alert;
  return passkeyMessages.cancelled;
}

/** The browser's own refusal when the person dismissed the dialog: not worth an alert on autofill. */
export function isCeremonyCancelled(error: unknown): boolean {
  return (
    error instanceof Error && (error.name === 'NotAllowedError' || error.name === 'AbortError' || ('code' in error && error.code === 'ERROR_CEREMONY_ABORTED'))
  );
}
