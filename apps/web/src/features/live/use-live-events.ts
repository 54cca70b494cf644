import { useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { LiveEvent } from '@gatehouse/types/events';
import { useSessionStatus } from '../auth/session-status-context';
import type { SessionEndReason } from '../auth/session-status';
import { authKeys } from '../auth/auth-queries';
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
  evicted: true,
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

    /*
     * What the stream asks to fetch again is fetched one batch after another, never as a new request
     * beside one still on its way, and "who is signed in" goes first, alone. After an administrator
     * changed the account's role, the first request the server sees gets the session's new id; requests
     * sent beside it with the old id would fail. For the same reason nothing is sent while this tab is
     * itself getting a new id (re-authentication): the stream can announce it before the answer
     * carrying the new cookie is in.
     */
    let refreshes = Promise.resolve();
    const refresh = (...keys: ReadonlyArray<readonly string[]>) => {
      refreshes = refreshes
        .then(async () => {
          for (const queryKey of keys) {
            await sessionStatus.whenNotRotating();
            await queryClient.invalidateQueries({ queryKey }, { cancelRefetch: false });
          }
        })
        .catch(() => undefined);
    };

    const onMessage = (message: MessageEvent<unknown>) => {
      const event = parseLiveEvent(message);
      if (!event) return;
      switch (event.type) {
        case 'sessions_changed':
          // The account itself may have changed too (a new role): the header and the guards follow.
          refresh(authKeys.me(), sessionKeys.all);
          break;
        case 'activity':
          refresh(activityKeys.all);
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
      if (connection > 0) refresh(authKeys.me(), sessionKeys.all, activityKeys.all);
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
