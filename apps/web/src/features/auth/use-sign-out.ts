import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { authApi } from './auth-queries';
import { forgetSignedInState } from './signed-in-state';
import { useSessionStatus } from './session-status-context';

/**
 * Signs this tab out, then goes to the sign-in page; `onSignedOut` replaces that last step for a page
 * that carries on signed out (a mail link followed in a browser signed in to another account).
 */
export function useSignOut({ onSignedOut }: { onSignedOut?: () => unknown } = {}) {
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
      if (onSignedOut) await onSignedOut();
      else await navigate('/login', { replace: true });
    },
  });
}
