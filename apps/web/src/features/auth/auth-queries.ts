import { queryOptions } from '@tanstack/react-query';
import type {
  ChangePasswordRequest,
  ChangePasswordResponse,
  LoginRequest,
  MeResponse,
  ReauthRequest,
  ReauthResponse,
  RegisterRequest,
  RegisterResponse,
} from '@gatehouse/types/auth';
import type { PasswordLoginResponse } from '@gatehouse/types/second-factor';
import { apiCommand, apiRequest } from '../../lib/api-client';

export const authKeys = {
  all: ['auth'] as const,
  me: () => [...authKeys.all, 'me'] as const,
};

export const authQueries = {
  /**
   * Who is signed in. A visitor who never signed in gets a 401 error; `null` is written here (never
   * fetched) once this tab knows its session is over, see `forgetSignedInState`.
   */
  me: () =>
    queryOptions({
      queryKey: authKeys.me(),
      queryFn: (): Promise<MeResponse | null> => apiRequest<MeResponse>('/api/auth/me'),
      staleTime: 60_000,
    }),
};

export const authApi = {
  /** Signs in, or (for an account with a second factor) starts the second step. */
  login: (body: LoginRequest) => apiRequest<PasswordLoginResponse>('/api/auth/login', { method: 'POST', body }),
  register: (body: RegisterRequest) => apiRequest<RegisterResponse>('/api/auth/register', { method: 'POST', body }),
  logout: () => apiCommand('/api/auth/logout', { method: 'POST' }),
  /** The password, and on an account with an authenticator app also its code (the first try without one says so). */
  reauth: (body: ReauthRequest) => apiRequest<ReauthResponse>('/api/auth/reauth', { method: 'POST', body }),
  changePassword: (body: ChangePasswordRequest) => apiRequest<ChangePasswordResponse>('/api/auth/password', { method: 'POST', body }),
};
