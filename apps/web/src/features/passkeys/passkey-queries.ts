import { queryOptions } from '@tanstack/react-query';
import type {
  AddPasskeyRequest,
  AddPasskeyResponse,
  PasskeyAuthenticationOptionsResponse,
  PasskeyListResponse,
  PasskeyLoginRequest,
  PasskeyLoginResponse,
  PasskeyReauthRequest,
  PasskeyReauthResponse,
  PasskeyRegistrationOptionsResponse,
  PasskeyResponse,
  RemovePasskeyRequest,
} from '@gatehouse/types/passkeys';
import { apiCommand, apiRequest } from '../../lib/api-client';

export const passkeyKeys = {
  all: ['passkeys'] as const,
  list: () => [...passkeyKeys.all, 'list'] as const,
};

export const passkeyQueries = {
  list: () =>
    queryOptions({
      queryKey: passkeyKeys.list(),
      queryFn: () => apiRequest<PasskeyListResponse>('/api/account/passkeys'),
    }),
};

export const passkeyApi = {
  registrationOptions: () => apiRequest<PasskeyRegistrationOptionsResponse>('/api/account/passkeys/options', { method: 'POST' }),
  add: (body: AddPasskeyRequest) => apiRequest<AddPasskeyResponse>('/api/account/passkeys', { method: 'POST', body }),
  rename: (id: string, name: string) => apiRequest<PasskeyResponse>(`/api/account/passkeys/${encodeURIComponent(id)}`, { method: 'PATCH', body: { name } }),
  remove: (id: string, body: RemovePasskeyRequest) => apiCommand(`/api/account/passkeys/${encodeURIComponent(id)}`, { method: 'DELETE', body }),
  signInOptions: () => apiRequest<PasskeyAuthenticationOptionsResponse>('/api/auth/passkey/options', { method: 'POST' }),
  signIn: (body: PasskeyLoginRequest) => apiRequest<PasskeyLoginResponse>('/api/auth/passkey', { method: 'POST', body }),
  reauthOptions: () => apiRequest<PasskeyAuthenticationOptionsResponse>('/api/auth/passkey/reauth/options', { method: 'POST' }),
  reauth: (body: PasskeyReauthRequest) => apiRequest<PasskeyReauthResponse>('/api/auth/passkey/reauth', { method: 'POST', body }),
};
