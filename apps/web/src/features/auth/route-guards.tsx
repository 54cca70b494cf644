import type { ReactNode } from 'react';
import { Navigate, Outlet } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import type { MeResponse } from '@gatehouse/types/auth';
import { isApiError, isServiceUnavailable } from '../../lib/api-client';
import { ServiceUnavailableScreen } from '../../app/service-status';
import { LiveEventsProvider } from '../live/live-status';
import { authMessages } from '../../messages/auth';
import { authQueries } from './auth-queries';

function Loading() {
  return (
    <p className="loading" aria-busy="true">
      Loading…
    </p>
  );
}

function ProblemScreen({ onRetry }: { onRetry: () => void }) {
  return (
    <div className="card narrow stack">
      <h1>Something went wrong</h1>
      <p role="alert">{authMessages.checkFailed}</p>
      <p>
        <button type="button" className="button" onClick={onRetry}>
          Try again
        </button>
      </p>
    </div>
  );
}

/**
 * Decides from `/api/auth/me` who is here. An outage is never mistaken for "signed out":
 * a 503 shows the waiting screen, never the sign-in page.
 */
function useViewer(render: (me: MeResponse | null) => ReactNode): ReactNode {
  const me = useQuery(authQueries.me());
  if (me.data !== undefined) return render(me.data);
  if (isServiceUnavailable(me.failureReason) || isServiceUnavailable(me.error)) return <ServiceUnavailableScreen />;
  if (me.isPending) return <Loading />;
  if (isApiError(me.error) && me.error.status === 401) return render(null);
  return <ProblemScreen onRetry={() => void me.refetch()} />;
}

export function RequireUser() {
  return useViewer((me) =>
    me ? (
      <LiveEventsProvider>
        <Outlet />
      </LiveEventsProvider>
    ) : (
      <Navigate to="/login" replace />
    ),
  );
}

export function RequireGuest() {
  return useViewer((me) => (me ? <Navigate to="/" replace /> : <Outlet />));
}

export function RequireAdmin() {
  return useViewer((me) => (me?.user.role === 'admin' ? <Outlet /> : <NotAllowedPage />));
}

function NotAllowedPage() {
  return (
    <div className="card narrow stack">
      <title>Not allowed · Gatehouse</title>
      <h1>Not allowed</h1>
      <p>{authMessages.notAllowed}</p>
    </div>
  );
}
