import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { RouterProvider, type DataRouter } from 'react-router';
import { SessionStatusProvider } from '../features/auth/session-status-context';
import type { SessionStatus } from '../features/auth/session-status';

interface AppProps {
  queryClient: QueryClient;
  sessionStatus: SessionStatus;
  router: DataRouter;
}

export function App({ queryClient, sessionStatus, router }: AppProps) {
  return (
    <SessionStatusProvider status={sessionStatus}>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </SessionStatusProvider>
  );
}
