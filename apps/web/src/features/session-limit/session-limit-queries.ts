import type { PasswordLoginResponse } from '@gatehouse/types/second-factor';
import type { SessionLimitResolveRequest } from '@gatehouse/types/sessions';
import { apiRequest } from '../../lib/api-client';

export const sessionLimitApi = {
  /** Ends the chosen session and finishes the sign-in the cap refused, with the ticket the refusal carried. */
  endSessionAndSignIn: (body: SessionLimitResolveRequest) => apiRequest<PasswordLoginResponse>('/api/auth/login/session-limit', { method: 'POST', body }),
};
