import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { ConnectionsResponseSchema, OidcProviderParamsSchema, OidcProvidersResponseSchema, OidcRedirectResponseSchema } from '@gatehouse/types/oidc';
import { addOperation, json } from './operations';

const OidcProvidersResponse = OidcProvidersResponseSchema.meta({ id: 'OidcProvidersResponse' });
const OidcRedirectResponse = OidcRedirectResponseSchema.meta({ id: 'OidcRedirectResponse' });
const ConnectionsResponse = ConnectionsResponseSchema.meta({ id: 'ConnectionsResponse' });

const FRESH_PROOF = 'Needs a recent proof (`POST /api/auth/reauth`, `/api/auth/passkey/reauth` or a provider).';
const LOCATION = { Location: { description: 'Where the browser goes next.', schema: { type: 'string' } } } as const;
const REDIRECT = { description: 'To the provider, or (it could not be reached) back to the page with `oidc_error`.', headers: LOCATION };

/** sign-in/oidc-router.ts and oidc/connections-router.ts: OpenID Connect providers. */
export function describeOidc(api: OpenAPIRegistry): void {
  addOperation(api, {
    method: 'get',
    path: '/api/auth/oidc/providers',
    tags: ['OpenID Connect'],
    summary: 'The providers people may sign in with',
    access: 'public',
    responses: { 200: json('The configured providers (OIDC_PROVIDERS), with the names their buttons show.', OidcProvidersResponse) },
  });
  addOperation(api, {
    method: 'get',
    path: '/api/auth/oidc/{provider}/start',
    tags: ['OpenID Connect'],
    summary: 'Sign in with a provider',
    description:
      'Redirects to the provider (authorization code flow with PKCE S256, `state` and `nonce`); the flow is kept server side under a key only this browser’s cookie holds. `?rememberMe=1` keeps the session past the browser’s closing. Starts per IP are limited.',
    access: 'public',
    request: { params: OidcProviderParamsSchema, query: z.object({ rememberMe: z.enum(['1']).optional() }) },
    responses: { 302: REDIRECT },
    errors: { 404: ['not_found'], 429: ['too_many_requests'] },
  });
  addOperation(api, {
    method: 'get',
    path: '/api/auth/oidc/{provider}/callback',
    tags: ['OpenID Connect'],
    summary: 'Where the provider sends the browser back',
    description:
      'Register `<PUBLIC_URL>/api/auth/oidc/<id>/callback` at the provider. Checks the flow (once), redeems the code and validates the ID token; then signs in (to `/`, or `/login?second_step=1` when the account has a second factor), connects (`/?connected=<id>`) or confirms (`/?reauthenticated=<id>`). Never answers JSON: failures land on `/login` or `/` with `oidc_error` (OidcErrorCode) and `provider`. A provider account signs in only the account it was connected to; an address that has an account is never linked by itself; an unverified address creates nothing.',
    access: 'public',
    request: { params: OidcProviderParamsSchema },
    responses: { 302: { description: 'To the page the outcome belongs to.', headers: LOCATION } },
    errors: { 404: ['not_found'] },
  });
  addOperation(api, {
    method: 'post',
    path: '/api/auth/oidc/{provider}/reauth',
    tags: ['OpenID Connect'],
    summary: 'Confirm it’s you with a connected provider',
    description:
      'The provider’s URL (asking it to sign in again); the callback makes the session fresh at the level the provider vouched for. Needed by accounts made through a provider, which have no password. Takes no body.',
    access: 'signed-in',
    request: { params: OidcProviderParamsSchema },
    responses: { 200: json('Where to send the browser.', OidcRedirectResponse) },
    errors: { 404: ['not_found'], 429: ['too_many_requests'] },
  });
  addOperation(api, {
    method: 'get',
    path: '/api/account/connections',
    tags: ['OpenID Connect'],
    summary: 'Connected provider accounts',
    access: 'signed-in',
    responses: { 200: json('The connections, whether each can be removed, and the providers configured.', ConnectionsResponse) },
  });
  addOperation(api, {
    method: 'post',
    path: '/api/account/connections/{provider}',
    tags: ['OpenID Connect'],
    summary: 'Connect a provider account',
    description: `The provider’s URL; the callback connects the provider account to this account and no other. Takes no body. ${FRESH_PROOF}`,
    access: 'signed-in',
    request: { params: OidcProviderParamsSchema },
    responses: { 200: json('Where to send the browser.', OidcRedirectResponse) },
    errors: { 403: ['reauth_required'], 404: ['not_found'], 429: ['too_many_requests'] },
  });
  addOperation(api, {
    method: 'delete',
    path: '/api/account/connections/{provider}',
    tags: ['OpenID Connect'],
    summary: 'Disconnect a provider account',
    description: `Refused when it is the account’s last way to sign in (no password, passkey or other provider). ${FRESH_PROOF}`,
    access: 'signed-in',
    request: { params: OidcProviderParamsSchema },
    responses: { 204: { description: 'Disconnected.' } },
    errors: { 403: ['reauth_required'], 404: ['not_found'], 409: ['last_sign_in_method'] },
  });
}
