import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { authApi } from './auth-queries';
import { forgetSignedInState } from './signed-in-state';
import { useSessionStatus } from './session-status-context';

export function useSignOut() {
  const queryClient = useQueryClient();
  const sessionStatus = useSessionStatus();
  const navigate = useNavigate();
  return useMutation({
    mutationFn: () => {
      sessionStatus.beginSignOut();
      return authApi.logout();
    },
    // Even if the server already forgot the session, this tab is done with it.
    onSettled: async () => {
      forgetSignedInState(queryClient);
      await navigate('/login', { replace: true });
    },
  });
}
