import { useEffect } from 'react';
import { Link, useNavigate } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import type { SessionEndReason } from './session-status';
import { useSessionStatus } from './session-status-context';

const EXPLANATIONS: Record<SessionEndReason, string> = {
  expired: 'Your session expired.',
  revoked: 'This session was signed out from another device.',
  password_changed: 'This session was signed out from another device. The account’s password was changed.',
  account_disabled: 'This session was signed out from another device. The account has been disabled.',
  signed_out: 'This session was signed out from another device or browser tab.',
};

export function SignedOutScreen({ reason }: { reason: SessionEndReason }) {
  const queryClient = useQueryClient();
  const sessionStatus = useSessionStatus();
  const navigate = useNavigate();

  // Nothing of the ended session stays in memory: the next account must start from a clean cache.
  useEffect(() => {
    queryClient.clear();
  }, [queryClient]);

  return (
    <div className="card narrow stack">
      <title>Signed out · Gatehouse</title>
      <h1>Signed out</h1>
      <p>{EXPLANATIONS[reason]}</p>
      <p>
        <Link to="/login" className="button button-primary" 
          onClick={(event) => {
            // Leave the ended page first, so the dashboard never flashes before the sign-in page.
            event.preventDefault();
            void Promise.resolve(navigate('/login', { replace: true })).then(() => sessionStatus.reset());
          }}
        >
          Sign in again
        </Link>
      </p>
    </div>
  );
}
