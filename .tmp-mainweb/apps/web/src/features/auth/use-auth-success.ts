import { useQueryClient } from '@tanstack/react-query';
import { authKeys } from './auth-queries';
import { useSessionStatus } from './session-status-context';

/**
 * After sign-in or registration: forget anything cached for a previous account and reload who is
 * signed in; the guest-only route then moves on to the dashboard by itself.
 */
export function useAuthSuccess() {
  const queryClient = useQueryClient();
  const sessionStatus = useSessionStatus();
  return async () => {
    sessionStatus.reset();
    queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== authKeys.all[0] });
    await queryClient.invalidateQueries({ queryKey: authKeys.me() });
  };
}
