import { Link, useNavigate } from 'react-router';
import { sessionEndMessages } from '../../messages/auth';
import type { SessionEndReason } from './session-status';
import { useSessionStatus } from './session-status-context';

export function SignedOutScreen({ reason }: { reason: SessionEndReason }) {
  const sessionStatus = useSessionStatus();
  const navigate = useNavigate();
  return (
    <div className="card narrow stack">
      <title>Signed out · Gatehouse</title>
      <h1>Signed out</h1>
      <p>{sessionEndMessages[reason]}</p>
      <p>
        <Link
          to="/login"
          className="button button-primary"
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
