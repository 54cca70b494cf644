import type { ReactNode } from 'react';
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { SessionStatusProvider } from '../features/auth/session-status-context';
import type { SessionStatus } from '../features/auth/session-status';

interface AppProps {
  queryClient: QueryClient;
  sessionStatus: SessionStatus;
  /** The router with the app's routes: the browser's history in the page, an in-memory one in tests. */
  children: ReactNode;
}

export function App({ queryClient, sessionStatus, children }: AppProps) {
  return (
    <SessionStatusProvider status={sessionStatus}>
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    </SessionStatusProvider>
  );
}
