import type { ErrorCode } from '@gatehouse/types/errors';
import type { SessionLimitDetails } from '@gatehouse/types/sessions';

/** An error meant for the client: its status, stable code and message are sent as they are. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly options: { fields?: Record<string, string>; headers?: Record<string, string>; signedInAs?: string; sessionLimit?: SessionLimitDetails } = {},
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
/** SESSION_LIMIT_POLICY=refuse: the account has its most sessions; the details let the person end one and go on. */
export const sessionLimitReached = (sessionLimit: SessionLimitDetails) =>
  new HttpError(
    409,
    'session_limit_reached',
    `This account is signed in on ${sessionLimit.max} devices already, the most it may be. End one of those sessions to sign in here.`,
    {
      sessionLimit,
    },
  );
/** The choice of a session to end came with a ticket that is unknown, used, expired or from another browser. */
export const sessionLimitTicketInvalid = () => new HttpError(400, 'invalid_token', 'This sign-in expired. Sign in again.');
export const forbidden = () => new HttpError(403, 'forbidden', 'You do not have access to this.');
export const reauthRequired = () => new HttpError(403, 'reauth_required', 'Confirm your password to continue.');
/** A one-time link that is unknown, used, expired or replaced by a newer one: all look alike (S33). */
export const invalidToken = () =>
  new HttpError(400, 'invalid_token', 'This link is no longer valid: it was already used, has expired, or a newer link replaced it.');
/** Only with REQUIRE_VERIFIED_EMAIL, and only after the right password. */
export const emailUnverified = () =>
  new HttpError(403, 'email_unverified', 'Confirm your email address before signing in: use the link we mailed you (we just sent a new one).');
/** A new password found in a breach corpus (S48): shown by the field it belongs to. */
export const passwordBreached = (field: string) => {
  const message = 'This password has appeared in a data breach, so attackers try it early. Choose a different one.';
  return new HttpError(400, 'password_breached', message, { fields: { [field]: message } });
};
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
/** REQUIRE_ADMIN_SECOND_FACTOR: the admin API wants a session proven with two factors (aal2), not an account that merely has them (S42). */
export const adminSecondFactorRequired = () =>
  new HttpError(
    403,
    'second_factor_required',
    'The admin console needs a session signed in with two factors: sign out and sign in again with your authenticator app or passkey (set one up first if you have none).',
  );
/** Re-authentication on an account with an authenticator app: the password alone proves less than the account has (S42). */
export const reauthSecondFactorRequired = () =>
  new HttpError(401, 'second_factor_required', 'Enter a code from your authenticator app (or a recovery code) with your password.');
/** Re-authentication with a password on an account whose second factor is a passkey: the passkey is what proves it. */
export const reauthPasskeyRequired = () => new HttpError(401, 'second_factor_required', 'Confirm it’s you with your passkey.');
/** A link for one account opened in a browser signed in to another: never switched silently (login CSRF, S44). */
export const signedInAsOther = (email: string) =>
  new HttpError(409, 'signed_in_as_other', `This browser is signed in as ${email}. Sign out first to use this link.`, { signedInAs: email });
/** Second factors are added only to accounts whose address is proven (account pre-hijacking, S43). */
export const factorNeedsVerifiedEmail = () =>
  new HttpError(403, 'email_unverified', 'Confirm your email address before adding a second factor: use the link we mailed you.');
/** The second step came without a pending sign-in, or after it expired (S37). */
export const deviceBindingRequired = () => new HttpError(401, 'device_binding_required', 'This session is bound to another device. Sign in again on this one.');
export const invalidDeviceProof = (message: string) => new HttpError(400, 'invalid_device_proof', message);
export const signInExpired = () => new HttpError(401, 'unauthenticated', 'Your sign-in expired. Enter your password again.');
