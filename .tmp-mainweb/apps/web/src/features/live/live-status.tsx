import { createContext, useContext, type ReactNode } from 'react';
import { useLiveEvents } from './use-live-events';

const POLL_INTERVAL_MS = 5000;

const LiveStatusContext = createContext(false);

export function LiveEventsProvider({ children }: { children: ReactNode }) {
  const isStreaming = useLiveEvents();
  return <LiveStatusContext value={isStreaming}>{children}</LiveStatusContext>;
}

/** `refetchInterval` for views the live stream keeps fresh: poll only while the stream is down. */
export function usePollInterval(): number | false {
  return useContext(LiveStatusContext) ? false : POLL_INTERVAL_MS;
}
