import type {
  CheckResetTokenResponse,
  ForgotPasswordRequest,
  ForgotPasswordResponse,
  ResetPasswordRequest,
  ResetPasswordResponse,
} from '@gatehouse/types/recovery';
import { apiRequest } from '../../lib/api-client';

export const recoveryApi = {
  forgotPassword: (body: ForgotPasswordRequest) => apiRequest<ForgotPasswordResponse>('/api/auth/password/forgot', { method: 'POST', body }),
  checkResetToken: (token: string) => apiRequest<CheckResetTokenResponse>('/api/auth/password/reset/check', { method: 'POST', body: { token } }),
  resetPassword: (body: ResetPasswordRequest) => apiRequest<ResetPasswordResponse>('/api/auth/password/reset', { method: 'POST', body }),
};
