import type { ErrorCode } from '@gatehouse/types/errors';

/** An error meant for the client: its status, stable code and message are sent as they are. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly options: { fields?: Record<string, string>; headers?: Record<string, string> } = {},
  ) {
    super(message);
  }
}

export const unauthenticated = () => new HttpError(401, 'unauthenticated', 'Sign in to continue.');
export const invalidCredentials = () => new HttpError(401, 'invalid_credentials', 'The email or password is incorrect.');
/** Re-authentication and password change, where the email is not in question. */
export const wrongPassword = (message = 'The password is not correct.') => new HttpError(401, 'invalid_credentials', message);
export const accountDisabled = () => new HttpError(403, 'account_disabled', 'This account has been disabled. Contact an administrator.');
/** A sign-in or re-authentication lost a race with a change to the account (S31); trying again is safe. */
export const accountChanged = () => new HttpError(409, 'account_changed', 'Your account changed while you were signing in. Sign in again.');
export const forbidden = () => new HttpError(403, 'forbidden', 'You do not have access to this.');
export const reauthRequired = () => new HttpError(403, 'reauth_required', 'Confirm your password to continue.');
/** A one-time link that is unknown, used, expired or replaced by a newer one: all look alike (S33). */
export const invalidToken = () =>
  new HttpError(400, 'invalid_token', 'This link is no longer valid: it was already used, has expired, or a newer link replaced it.');
/** Only with REQUIRE_VERIFIED_EMAIL, and only after the right password. */
export const emailUnverified = () =>
  new HttpError(403, 'email_unverified', 'Confirm your email address before signing in: use the link we mailed you (we just sent a new one).');
export const notFound = () => new HttpError(404, 'not_found', 'Not found.');
export const validationFailed = (fields: Record<string, string>) => new HttpError(400, 'validation_failed', 'Some fields are not valid.', { fields });
export const tooManyRequests = (retryAfterSeconds: number) =>
  new HttpError(429, 'too_many_requests', 'Too many attempts. Try again later.', {
    headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
  });
export const serviceUnavailable = () =>
  new HttpError(503, 'service_unavailable', 'The service is temporarily unavailable. Try again shortly.', { headers: { 'Retry-After': '5' } });
/** A wrong authenticator-app or recovery code (or one already used). */
export const invalidCode = () => new HttpError(401, 'invalid_code', 'That code is not correct, or was already used.');
/** A WebAuthn response that did not verify: wrong origin or RP ID, unknown or reused challenge, counter, signature (S38). */
export const passkeyRejected = () => new HttpError(401, 'passkey_rejected', 'The passkey could not be verified. Try again.');
export const secondFactorRequired = () =>
  new HttpError(403, 'second_factor_required', 'Administrators must set up two-factor authentication (an authenticator app or a passkey) first.');
/** The second step came without a pending sign-in, or after it expired (S37). */
export const signInExpired = () => new HttpError(401, 'unauthenticated', 'Your sign-in expired. Enter your password again.');
