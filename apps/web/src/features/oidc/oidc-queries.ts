import { queryOptions } from '@tanstack/react-query';
import type { ConnectionsResponse, OidcProvidersResponse, OidcRedirectResponse } from '@gatehouse/types/oidc';
import type { SecondFactorRequiredResponse } from '@gatehouse/types/second-factor';
import { apiCommand, apiRequest } from '../../lib/api-client';

const segment = encodeURIComponent;

export const oidcKeys = {
  all: ['oidc'] as const,
  providers: () => [...oidcKeys.all, 'providers'] as const,
  connections: () => [...oidcKeys.all, 'connections'] as const,
  pendingSignIn: () => [...oidcKeys.all, 'pending-sign-in'] as const,
};

export const oidcQueries = {
  /** The deployment's providers: public, and they change only with its configuration. */
  providers: () =>
    queryOptions({
      queryKey: oidcKeys.providers(),
      queryFn: () => apiRequest<OidcProvidersResponse>('/api/auth/oidc/providers'),
      staleTime: 5 * 60_000,
    }),
  /** The provider accounts connected to this account, and the providers that could be. */
  connections: () =>
    queryOptions({
      queryKey: oidcKeys.connections(),
      queryFn: () => apiRequest<ConnectionsResponse>('/api/account/connections'),
    }),
  /**
   * The second factors a provider sign-in still waits for (401 when there is none). Never kept: a
   * cached answer would bring back a second step that was finished or dropped.
   */
  pendingSignIn: () =>
    queryOptions({
      queryKey: oidcKeys.pendingSignIn(),
      queryFn: () => apiRequest<SecondFactorRequiredResponse>('/api/auth/login/second-factor'),
      gcTime: 0,
    }),
};

export const oidcApi = {
  /** Where "Sign in with …" sends the whole page: the API redirects on to the provider. */
  signInUrl: (provider: string) => `/api/auth/oidc/${segment(provider)}/start`,
  /** Where to send the page to connect `provider` to this account. */
  connect: (provider: string) => apiRequest<OidcRedirectResponse>(`/api/account/connections/${segment(provider)}`, { method: 'POST' }),
  disconnect: (provider: string) => apiCommand(`/api/account/connections/${segment(provider)}`, { method: 'DELETE' }),
  /** Where to send the page to confirm it's you with `provider` (for accounts without a password). */
  reauth: (provider: string) => apiRequest<OidcRedirectResponse>(`/api/auth/oidc/${segment(provider)}/reauth`, { method: 'POST' }),
};
