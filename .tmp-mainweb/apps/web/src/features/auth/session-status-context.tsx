import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { SessionEndReason, SessionStatus } from './session-status';

const SessionStatusContext = createContext<SessionStatus | null>(null);

export function SessionStatusProvider({ status, children }: { status: SessionStatus; children: ReactNode }) {
  return <SessionStatusContext value={status}>{children}</SessionStatusContext>;
}

export function useSessionStatus(): SessionStatus {
  const status = useContext(SessionStatusContext);
  if (!status) throw new Error('useSessionStatus needs a SessionStatusProvider');
  return status;
}

export function useSessionEndReason(): SessionEndReason | null {
  const status = useSessionStatus();
  return useSyncExternalStore(status.subscribe, status.getEndReason);
}
