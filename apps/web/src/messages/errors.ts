import type { ErrorCode } from '@gatehouse/types/errors';

/**
 * Where an error is shown. The same code means different things on different forms: a wrong password
 * on the sign-in form is "the email or password", in the password dialog it is just "that password".
 */
export type ErrorContext =
  | 'sign-in'
  | 'register'
  | 'reauth'
  | 'change-password'
  | 'rename-device'
  | 'session-action'
  | 'admin-action'
  | 'second-factor'
  | 'passkey'
  | 'connection'
  | 'forgot-password'
  | 'mail-link'
  | 'change-email'
  | 'load';

/**
 * What each code says when the form has nothing more specific. `null`: nothing to say, e.g. a
 * password confirmation the person cancelled is not an error to them.
 */
/** For requests this app never sends malformed: if one is refused anyway, a fresh page is the fix. */
const RELOAD = 'Something went wrong. Reload the page and try again.';

/**
 * Codes only the second-factor and passkey screens meet: their words are in messages/second-factor.ts
 * and messages/passkeys.ts, which load with those screens (the dashboard's first load has no bytes to
 * spare), and those screens look them up first (features/second-factor/second-factor-errors.ts).
 */
export type SecondFactorErrorCode = 'invalid_code' | 'second_factor_required' | 'totp_already_enabled' | 'totp_not_enabled' | 'passkey_rejected';
/** Likewise for the code only "Connected accounts" meets: its words are in messages/oidc.ts. */
export type ConnectionErrorCode = 'last_sign_in_method';
/**
 * The API's own sentence says it ("signed in on 3 devices already…"); the sign-in page lists the sessions
 * to end below it (features/session-limit, loaded only then).
 */
export type SessionLimitErrorCode = 'session_limit_reached';
/** Likewise for the code only the forms that set a password meet: its words are in messages/passwords.ts. */
export type PasswordErrorCode = 'password_breached';
/**
 * Codes no form meets, so the API's own sentence serves: a bound session's cookie without its device key
 * is a 401 (the app shows itself signed out), and the browser, not the app, sends device proofs.
 */
export type DeviceBindingErrorCode = 'device_binding_required' | 'invalid_device_proof';

const GENERAL: Record<
  Exclude<ErrorCode, SecondFactorErrorCode | ConnectionErrorCode | SessionLimitErrorCode | PasswordErrorCode | DeviceBindingErrorCode>,
  string | null
> = {
  validation_failed: 'Please correct the highlighted fields.',
  unauthenticated: 'You are signed out. Sign in again to continue.',
  forbidden: 'You are not allowed to do this.',
  not_found: 'It is no longer there: someone may have removed it meanwhile.',
  method_not_allowed: RELOAD,
  invalid_credentials: 'That password is not correct.',
  email_taken: 'An account with this email already exists.',
  account_disabled: 'This account has been disabled. Contact an administrator.',
  account_changed: 'Your account changed while you were signing in. Please sign in again.',
  reauth_required: null,
  invalid_token: 'This link no longer works.',
  email_unverified: 'Confirm your address first.',
  // Only a confirmation link meets it, and its page says it with the address (messages/recovery.ts).
  signed_in_as_other: null,
  mail_unavailable: 'This server cannot send mail.',
  too_many_requests: 'Too many attempts. Try again later.',
  cross_site_request: RELOAD,
  unsupported_media_type: RELOAD,
  payload_too_large: 'That is too much text to send.',
  malformed_body: RELOAD,
  service_unavailable: 'Service unavailable, retrying…',
  internal: 'Something went wrong on our side. Please try again.',
};

const BY_CONTEXT: Partial<Record<ErrorContext, Partial<Record<ErrorCode, string>>>> = {
  // One message for both, so a stranger cannot learn which addresses have an account.
  'sign-in': { invalid_credentials: 'The email or password is incorrect.' },
  'change-password': { invalid_credentials: 'The current password is not correct.' },
  'session-action': { not_found: 'That session had already ended.' },
  'admin-action': {
    not_found: 'That account or session no longer exists.',
    forbidden: 'You are no longer allowed to do this: your role may have changed.',
  },
  load: { forbidden: 'You are not allowed to see this.' },
};

/**
 * Errors that belong to one field of the form rather than to the whole form: shown by that field
 * (and only there), so the form says one thing, in the right place.
 */
const FIELD_OF: Partial<Record<ErrorContext, Partial<Record<ErrorCode, string>>>> = {
  register: { email_taken: 'email' },
  reauth: { invalid_credentials: 'password' },
  'change-password': { invalid_credentials: 'currentPassword' },
};

export const errorMessages = {
  unexpected: 'Something went wrong. Please try again.',
  tooManyAttempts: (wait: string) => `Too many attempts. Try again in ${wait}.`,
  loadFailed: (what: string, reason: string) => `Could not load ${what}. ${reason}`,
} as const;

/** Codes come from the network: a name such as "toString" must not find something on the prototype. */
function lookUp<T>(table: Partial<Record<ErrorCode, T>> | undefined, code: string): T | undefined {
  return table && Object.hasOwn(table, code) ? table[code as ErrorCode] : undefined;
}

/** The catalogue's text for `code` on a form, or `undefined` when the catalogue has none (a newer API). */
export function errorText(code: string, context: ErrorContext): string | null | undefined {
  return lookUp(BY_CONTEXT[context], code) ?? lookUp(GENERAL, code);
}

/** The field an error code belongs to on this form, if it belongs to one. */
export function errorField(code: string, context: ErrorContext): string | undefined {
  return lookUp(FIELD_OF[context], code);
}
