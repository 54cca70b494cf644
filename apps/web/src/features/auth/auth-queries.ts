import { queryOptions } from '@tanstack/react-query';
import {
  ChangePasswordResponseSchema,
  LoginResponseSchema,
  MeResponseSchema,
  ReauthResponseSchema,
  RegisterResponseSchema,
  type ChangePasswordRequest,
  type LoginRequest,
  type RegisterRequest,
} from '@gatehouse/types/auth';
import { apiCommand, apiRequest } from '../../lib/api-client';

export const authKeys = {
  all: ['auth'] as const,
  me: () => [...authKeys.all, 'me'] as const,
};

export const authQueries = {
  me: () =>
    queryOptions({
      queryKey: authKeys.me(),
      queryFn: ({ signal }) => apiRequest('/api/auth/me', MeResponseSchema, { signal }),
      staleTime: 60_000,
    }),
};

export const authApi = {
  login: (body: LoginRequest) => apiRequest('/api/auth/login', LoginResponseSchema, { method: 'POST', body }),
  register: (body: RegisterRequest) => apiRequest('/api/auth/register', RegisterResponseSchema, { method: 'POST', body }),
  logout: () => apiCommand('/api/auth/logout', { method: 'POST' }),
  reauth: (password: string) => apiRequest('/api/auth/reauth', ReauthResponseSchema, { method: 'POST', body: { password } }),
  changePassword: (body: ChangePasswordRequest) =>
    apiRequest('/api/auth/password', ChangePasswordResponseSchema, { method: 'POST', body }),
};
