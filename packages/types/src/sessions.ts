import { z } from 'zod';
import { DEVICE_NAME_MAX_LENGTH } from './limits';

export { DEVICE_NAME_MAX_LENGTH };

/** Browser and OS parsed from the User-Agent on the server; `null` when it could not be told. */
export const DeviceSchema = z.object({
  browser: z.string().nullable(),
  os: z.string().nullable(),
  /** "desktop" | "mobile" | "tablet" | … as the parser reports it. */
  platform: z.string().nullable(),
});
export type Device = z.infer<typeof DeviceSchema>;

/** How a session's holder proved who they are; a session lists every method it used, in order. */
export const AuthMethodSchema = z.enum(['password', 'totp', 'recovery_code', 'passkey', 'email_link', 'oidc']);
export type AuthMethod = z.infer<typeof AuthMethodSchema>;

/**
 * How strongly a session's holder was proven (NIST SP 800-63B): `aal1` one factor (a password alone, an
 * e-mailed link), `aal2` two (password + authenticator or recovery code, or a passkey with user
 * verification). An account with a second factor only ever gets `aal2` sessions.
 */
export const AssuranceSchema = z.enum(['aal1', 'aal2']);
export type Assurance = z.infer<typeof AssuranceSchema>;

/**
 * Why a session ended; every way of ending one gives one of these. `evicted`: a newer sign-in took its
 * place under MAX_SESSIONS_PER_ACCOUNT (the least recently active session goes).
 */
export const SessionEndReasonSchema = z.enum(['revoked', 'expired', 'signed_out', 'password_changed', 'account_disabled', 'evicted']);
export type SessionEndReason = z.infer<typeof SessionEndReasonSchema>;

/**
 * Where a session's IP address is, roughly, from an offline database (a city is often missing; it is
 * never more precise than a city). Private and loopback addresses read "Local network".
 */
export const SessionLocationSchema = z.object({
  city: z.string().nullable(),
  country: z.string().nullable(),
  /** "Berlin, Germany", "Germany", or "Local network". */
  label: z.string(),
});
export type SessionLocation = z.infer<typeof SessionLocationSchema>;

/**
 * One session as shown to the account that owns it. `handle` is an opaque keyed hash of the
 * session id: it names the session in URLs without ever revealing the id itself.
 */
export const SessionViewSchema = z.object({
  handle: z.string(),
  isCurrent: z.boolean(),
  createdAt: z.iso.datetime(),
  lastActiveAt: z.iso.datetime(),
  idleExpiresAt: z.iso.datetime(),
  absoluteExpiresAt: z.iso.datetime(),
  rememberMe: z.boolean(),
  device: DeviceSchema,
  /** The name the owner gave the browser this session runs in ("Work laptop"); null until named. */
  deviceName: z.string().nullable(),
  /** When the account first signed in from this browser. */
  firstSeenAt: z.iso.datetime(),
  ip: z.string().nullable(),
  /** The approximate place of `ip`; null when it is not known or look-ups are off (GEOIP=off). */
  location: SessionLocationSchema.nullable(),
  /** How this session was signed in (e.g. ["password"], ["password", "totp"], ["passkey"]). */
  authMethods: z.array(AuthMethodSchema),
  /** How strongly the holder was proven at sign-in (or at a later step-up). */
  assurance: AssuranceSchema,
  /** With `oidc` in `authMethods`: the provider's name ("Signed in with Google"); null otherwise. */
  signInProvider: z.string().nullable(),
  /** When the session's holder last proved who they are (sign-in or re-authentication). */
  authenticatedAt: z.iso.datetime(),
  /**
   * Bound to a key the browser keeps on the device (device-bound session credentials): every request
   * needs a short-lived cookie only that browser can renew, so a copied session cookie stops working.
   */
  deviceBound: z.boolean(),
});
export type SessionView = z.infer<typeof SessionViewSchema>;

/** What a sign-in does when the account already has its most sessions: end the least recently active, or refuse. */
export const SessionLimitPolicySchema = z.enum(['evict-oldest', 'refuse']);
export type SessionLimitPolicy = z.infer<typeof SessionLimitPolicySchema>;

/** The cap on an account's sessions (MAX_SESSIONS_PER_ACCOUNT); pending second-step sign-ins do not count. */
export const SessionCapSchema = z.object({ max: z.number().int().positive(), policy: SessionLimitPolicySchema });
export type SessionCap = z.infer<typeof SessionCapSchema>;

export const SessionListResponseSchema = z.object({
  sessions: z.array(SessionViewSchema),
  /** `null` when sessions are not capped ("3 of 5 sessions" otherwise). */
  cap: SessionCapSchema.nullable(),
});
export type SessionListResponse = z.infer<typeof SessionListResponseSchema>;

export const SessionHandleParamsSchema = z.object({ handle: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/) });

/** Names the browser a session runs in; `null` (or an empty name) removes the name. */
export const RenameDeviceRequestSchema = z.object({
  deviceName: z
    .string({ error: 'Device name must be text' })
    .trim()
    .max(DEVICE_NAME_MAX_LENGTH, { error: `Use at most ${DEVICE_NAME_MAX_LENGTH} characters` })
    .transform((name) => (name === '' ? null : name))
    .nullable(),
});
export type RenameDeviceRequest = z.input<typeof RenameDeviceRequestSchema>;
export const RenameDeviceResponseSchema = z.object({ session: SessionViewSchema });
export type RenameDeviceResponse = z.infer<typeof RenameDeviceResponseSchema>;

/**
 * Adding or removing a second factor or passkey: whether every other session of the account ends with
 * it (the form offers it checked; omitted, it is true). The session making the change stays.
 */
export const SignOutOtherSessionsSchema = z.boolean().optional().default(true);

export const RevokeOthersResponseSchema = z.object({ revoked: z.number().int().nonnegative() });
export type RevokeOthersResponse = z.infer<typeof RevokeOthersResponseSchema>;

/** What the browser was told about the session cookie, next to what the server is configured to send. */
export const CookieExplanationSchema = z.object({
  name: z.string(),
  httpOnly: z.boolean(),
  secure: z.boolean(),
  sameSite: z.enum(['lax', 'strict', 'none']).nullable(),
  path: z.string(),
  /** `null` for a browser-session cookie (removed when the browser closes). */
  expiresAt: z.iso.datetime().nullable(),
  server: z.object({
    secureConfigured: z.boolean(),
    trustProxy: z.boolean(),
    requestIsSecure: z.boolean(),
    idleTimeoutSeconds: z.number(),
    rememberMeIdleTimeoutSeconds: z.number(),
    absoluteTimeoutSeconds: z.number(),
    touchAfterSeconds: z.number(),
  }),
  /** Human-readable mismatches, e.g. a Secure cookie configured but not sent because trust proxy is off. */
  warnings: z.array(z.string()),
});
export type CookieExplanation = z.infer<typeof CookieExplanationSchema>;

export const CurrentSessionResponseSchema = z.object({
  session: SessionViewSchema,
  /** The stored session document's `session` field, with secrets masked. */
  data: z.record(z.string(), z.unknown()),
  cookie: CookieExplanationSchema,
});
export type CurrentSessionResponse = z.infer<typeof CurrentSessionResponseSchema>;

/** "Stay signed in": pushes the idle deadline back (never the absolute one). */
export const ExtendSessionResponseSchema = z.object({ session: SessionViewSchema });
export type ExtendSessionResponse = z.infer<typeof ExtendSessionResponseSchema>;

/** One of the account's sessions as the refused sign-in shows it, to choose the one to end. */
export const SessionChoiceSchema = z.object({
  handle: z.string(),
  device: DeviceSchema,
  ip: z.string().nullable(),
  createdAt: z.iso.datetime(),
  lastActiveAt: z.iso.datetime(),
});
export type SessionChoice = z.infer<typeof SessionChoiceSchema>;

/**
 * With a 409 `session_limit_reached` (SESSION_LIMIT_POLICY=refuse), after every proof the sign-in needed:
 * the account's sessions, and a ticket that may end one of them and finish this sign-in. The ticket is
 * single-use, expires at `expiresAt`, and works only in the browser that proved the sign-in.
 */
export const SessionLimitDetailsSchema = z.object({
  max: z.number().int().positive(),
  ticket: z.string(),
  expiresAt: z.iso.datetime(),
  sessions: z.array(SessionChoiceSchema),
});
export type SessionLimitDetails = z.infer<typeof SessionLimitDetailsSchema>;

/** Ends the chosen session and finishes the refused sign-in (`POST /api/auth/login/session-limit`). */
export const SessionLimitResolveRequestSchema = z.object({
  ticket: z.string().min(16).max(128),
  endSession: SessionHandleParamsSchema.shape.handle,
});
export type SessionLimitResolveRequest = z.infer<typeof SessionLimitResolveRequestSchema>;
