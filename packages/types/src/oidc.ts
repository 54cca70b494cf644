import { z } from 'zod';

/** An OpenID Connect provider the deployment configured (OIDC_PROVIDERS): its id and the button's name. */
export const OidcProviderSchema = z.object({
  id: z.string().regex(/^[a-z0-9_-]{1,32}$/),
  name: z.string(),
});
export type OidcProvider = z.infer<typeof OidcProviderSchema>;

/** `GET /api/auth/oidc/providers`: the sign-in page's "Sign in with …" buttons (none when unconfigured). */
export const OidcProvidersResponseSchema = z.object({ providers: z.array(OidcProviderSchema) });
export type OidcProvidersResponse = z.infer<typeof OidcProvidersResponseSchema>;

export const OidcProviderParamsSchema = z.object({ provider: OidcProviderSchema.shape.id });

/**
 * Why a provider's callback did not sign in or connect. The callback never answers JSON: it redirects to
 * `/login?oidc_error=<code>&provider=<id>` (sign-in) or `/?oidc_error=<code>&provider=<id>` (connecting
 * or confirming from the dashboard), and the page says what happened.
 * - `denied`: the person cancelled at the provider, or the provider refused.
 * - `invalid_state`: the callback belongs to no sign-in this browser started (forged, replayed, expired).
 * - `exchange_failed`: the provider's answer did not check out (code used or expired, ID token wrong).
 * - `unavailable`: the provider could not be reached.
 * - `unverified_email`: the provider does not vouch for the address: nothing was created or linked.
 * - `account_exists`: an account has this address; sign in the usual way and connect the provider from the dashboard.
 * - `already_linked`: that provider account is connected to another Gatehouse account.
 * - `not_signed_in`: connecting or confirming needs the browser to be signed in to the account still.
 * - `account_disabled`: the account is disabled.
 * - `wrong_account`: confirming with a provider account that is not connected to this account.
 * - `session_limit_reached`: the account is at its session cap (SESSION_LIMIT_POLICY=refuse).
 */
export const OidcErrorCodeSchema = z.enum([
  'denied',
  'invalid_state',
  'exchange_failed',
  'unavailable',
  'unverified_email',
  'account_exists',
  'already_linked',
  'not_signed_in',
  'account_disabled',
  'wrong_account',
  'session_limit_reached',
]);
export type OidcErrorCode = z.infer<typeof OidcErrorCodeSchema>;

/**
 * Where a redirect to the provider goes (`POST /api/account/connections/:provider` to connect,
 * `POST /api/auth/oidc/:provider/reauth` to confirm it's you): the page navigates there, and the
 * provider sends the browser back to the callback, which lands on `/?connected=<id>` or
 * `/?reauthenticated=<id>` (or `oidc_error`, above).
 */
export const OidcRedirectResponseSchema = z.object({ url: z.url() });
export type OidcRedirectResponse = z.infer<typeof OidcRedirectResponseSchema>;

/** A provider account connected to this Gatehouse account. */
export const ConnectionViewSchema = z.object({
  provider: OidcProviderSchema.shape.id,
  name: z.string(),
  /** The address the provider gave when it was connected. */
  email: z.string(),
  connectedAt: z.iso.datetime(),
  /** False when it is the account's last way to sign in (no password, no passkey, no other provider). */
  canDisconnect: z.boolean(),
});
export type ConnectionView = z.infer<typeof ConnectionViewSchema>;

/** `GET /api/account/connections`: what is connected, and what could be. */
export const ConnectionsResponseSchema = z.object({
  connections: z.array(ConnectionViewSchema),
  available: z.array(OidcProviderSchema),
});
export type ConnectionsResponse = z.infer<typeof ConnectionsResponseSchema>;
