import { queryOptions } from '@tanstack/react-query';
import type {
  RecoveryCodesResponse,
  SecondFactorLoginRequest,
  SecondFactorLoginResponse,
  SecondFactorPasskeyOptionsResponse,
  SecondFactorStatusResponse,
  TotpConfirmRequest,
  TotpConfirmResponse,
  TotpDisableRequest,
  TotpEnrolmentResponse,
} from '@gatehouse/types/second-factor';
import { apiCommand, apiRequest } from '../../lib/api-client';

export const secondFactorKeys = {
  all: ['second-factor'] as const,
  status: () => [...secondFactorKeys.all, 'status'] as const,
};

export const secondFactorQueries = {
  status: () =>
    queryOptions({
      queryKey: secondFactorKeys.status(),
      queryFn: () => apiRequest<SecondFactorStatusResponse>('/api/account/second-factor'),
    }),
};

export const secondFactorApi = {
  beginTotp: () => apiRequest<TotpEnrolmentResponse>('/api/account/totp', { method: 'POST' }),
  confirmTotp: (body: TotpConfirmRequest) => apiRequest<TotpConfirmResponse>('/api/account/totp/confirm', { method: 'POST', body }),
  disableTotp: (body: TotpDisableRequest) => apiCommand('/api/account/totp', { method: 'DELETE', body }),
  regenerateRecoveryCodes: () => apiRequest<RecoveryCodesResponse>('/api/account/recovery-codes', { method: 'POST' }),
  /** The second step of a password sign-in. */
  completeSignIn: (body: SecondFactorLoginRequest) => apiRequest<SecondFactorLoginResponse>('/api/auth/login/second-factor', { method: 'POST', body }),
  passkeyOptions: () => apiRequest<SecondFactorPasskeyOptionsResponse>('/api/auth/login/second-factor/passkey-options', { method: 'POST' }),
};
