import { useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { LiveEvent } from '@gatehouse/types/events';
import { useSessionStatus } from '../auth/session-status-context';
import type { SessionEndReason } from '../auth/session-status';
import { sessionKeys } from '../sessions/session-queries';
import { activityKeys } from '../activity/activity-queries';

const RECONNECT_DELAY_MS = 30_000;
const EVENT_TYPES: ReadonlyArray<LiveEvent['type']> = ['sessions_changed', 'activity', 'session_ended'];

/** Typed as a record so a reason added to the contract fails the build until it is listed here. */
const END_REASONS: Record<SessionEndReason, true> = {
  revoked: true,
  expired: true,
  signed_out: true,
  password_changed: true,
  account_disabled: true,
};

const isEndReason = (value: unknown): value is SessionEndReason => typeof value === 'string' && Object.hasOwn(END_REASONS, value);

/** A message we cannot act on (unknown type or reason, broken JSON) is ignored rather than guessed at. */
export function parseLiveEvent(message: MessageEvent<unknown>): LiveEvent | null {
  if (typeof message.data !== 'string') return null;
  let data: unknown;
  try {
    data = JSON.parse(message.data);
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null || !('type' in data)) return null;
  if (data.type === 'sessions_changed' || data.type === 'activity') return { type: data.type };
  if (data.type === 'session_ended' && 'reason' in data && isEndReason(data.reason)) return { type: 'session_ended', reason: data.reason };
  return null;
}

/**
 * Follows `/api/events` while signed in. Returns whether the stream is up; while it is not,
 * views poll instead (see `usePollInterval`) and the stream is tried again every so often.
 */
export function useLiveEvents(): boolean {
  const queryClient = useQueryClient();
  const sessionStatus = useSessionStatus();
  const [isStreaming, setIsStreaming] = useState(false);
  const [connection, setConnection] = useState(0);

  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    const source = new EventSource('/api/events');
    let reconnectTimer: ReturnType<typeof setTimeout> | undefined;

    const onMessage = (message: MessageEvent<unknown>) => {
      const event = parseLiveEvent(message);
      if (!event) return;
      // The rotation announces itself before its response brings the new cookie: a refetch now would go
      // out with the old one, and its answer (401, clearing the cookie) could land after the new cookie.
      // The stream is reopened after the rotation and then refetches everything once.
      if (event.type !== 'session_ended' && sessionStatus.isRotating()) return;
      switch (event.type) {
        case 'sessions_changed':
          void queryClient.invalidateQueries({ queryKey: sessionKeys.all });
          break;
        case 'activity':
          void queryClient.invalidateQueries({ queryKey: activityKeys.all });
          break;
        case 'session_ended':
          sessionStatus.end(event.reason);
          break;
      }
    };
    EVENT_TYPES.forEach((type) => source.addEventListener(type, onMessage));
    source.addEventListener('open', () => {
      setIsStreaming(true);
      // Whatever happened while we were polling or reconnecting is picked up once.
      if (connection > 0) {
        void queryClient.invalidateQueries({ queryKey: sessionKeys.all });
        void queryClient.invalidateQueries({ queryKey: activityKeys.all });
      }
    });
    source.addEventListener('error', () => {
      source.close();
      setIsStreaming(false);
      reconnectTimer = setTimeout(() => setConnection((count) => count + 1), RECONNECT_DELAY_MS);
    });
    // A new session id needs a new stream: the old one belongs to a session that no longer exists.
    const stopWatchingRotation = sessionStatus.onRotated(() => {
      source.close();
      setConnection((count) => count + 1);
    });

    return () => {
      source.close();
      clearTimeout(reconnectTimer);
      stopWatchingRotation();
    };
  }, [connection, queryClient, sessionStatus]);

  return isStreaming;
}
