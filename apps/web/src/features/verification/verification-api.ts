import type {
  CancelEmailChangeResponse,
  ChangeEmailRequest,
  ChangeEmailResponse,
  ResendVerificationResponse,
  VerifyEmailResponse,
} from '@gatehouse/types/email';
import { apiRequest } from '../../lib/api-client';

export const verificationApi = {
  verifyEmail: (token: string) => apiRequest<VerifyEmailResponse>('/api/auth/email/verify', { method: 'POST', body: { token } }),
  resendVerification: () => apiRequest<ResendVerificationResponse>('/api/auth/email/verification', { method: 'POST' }),
  changeEmail: (body: ChangeEmailRequest) => apiRequest<ChangeEmailResponse>('/api/auth/email/change', { method: 'POST', body }),
  /** From the mail to the old address: the change asked for is called off. */
  cancelEmailChange: (token: string) => apiRequest<CancelEmailChangeResponse>('/api/auth/email/change/cancel', { method: 'POST', body: { token } }),
};
