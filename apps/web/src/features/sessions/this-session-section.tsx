import { useEffect } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CurrentSessionResponse, ExtendSessionResponse } from '@gatehouse/types/sessions';
import { useNow } from '../../lib/use-now';
import { describeDevice } from '../../lib/device';
import { RelativeTime, TimeLeft } from '../../lib/time-view';
import { describeError } from '../../lib/form-errors';
import { FormAlert } from '../../components/form-alert';
import { QueryState } from '../../components/query-state';
import { commonMessages } from '../../messages/common';
import { sessionMessages } from '../../messages/sessions';
import { usePollInterval } from '../live/live-status';
import { useWithReauth } from '../reauth/reauth-context';
import { authKeys } from '../auth/auth-queries';
import { sessionApi, sessionKeys, sessionQueries } from './session-queries';
import { shouldOfferStaySignedIn } from './stay-signed-in';
import { whenIdle } from '../../components/when-idle';

export function ThisSessionSection() {
  const current = useQuery({ ...sessionQueries.current(), refetchInterval: usePollInterval() });
  return (
    <section className="card" aria-labelledby="this-session-title">
      <h2 id="this-session-title">This session</h2>
      {current.data ? <SessionFacts current={current.data} /> : <QueryState query={current} what={sessionMessages.thisSession} />}
    </section>
  );
}

function SessionFacts({ current }: { current: CurrentSessionResponse }) {
  const { session, cookie } = current;
  const now = useNow();
  const queryClient = useQueryClient();
  const withReauth = useWithReauth();
  const extend = useMutation({
    mutationFn: withReauth(sessionApi.extend),
    onSuccess: async (result: ExtendSessionResponse) => {
      queryClient.setQueryData<CurrentSessionResponse>(sessionKeys.current(), (old) => (old ? { ...old, session: result.session } : old));
      await Promise.all([queryClient.invalidateQueries({ queryKey: sessionKeys.list() }), queryClient.invalidateQueries({ queryKey: authKeys.me() })]);
    },
  });

  const idleRemaining = Date.parse(session.idleExpiresAt) - now;
  const idleTimeoutSeconds = session.rememberMe ? cookie.server.rememberMeIdleTimeoutSeconds : cookie.server.idleTimeoutSeconds;
  const isNearIdleDeadline = shouldOfferStaySignedIn(idleRemaining, idleTimeoutSeconds);
  useCheckAtDeadline(Date.parse(session.idleExpiresAt) < Date.parse(session.absoluteExpiresAt) ? session.idleExpiresAt : session.absoluteExpiresAt);

  return (
    <>
      <dl className="facts">
        <dt>Started</dt>
        <dd>
          <RelativeTime value={session.createdAt} now={now} isPast />
        </dd>
        <dt>Last active</dt>
        <dd>
          <RelativeTime value={session.lastActiveAt} now={now} isPast />
        </dd>
        <dt>Browser and OS</dt>
        <dd>{describeDevice(session.device)}</dd>
        <dt>IP address</dt>
        <dd>{session.ip ?? commonMessages.unknown}</dd>
        <dt>Remember me</dt>
        <dd>{session.rememberMe ? commonMessages.yes : commonMessages.no}</dd>
        <dt>Idle expiry</dt>
        <dd>
          <TimeLeft value={session.idleExpiresAt} now={now} />
        </dd>
        <dt>Absolute expiry</dt>
        <dd>
          <TimeLeft value={session.absoluteExpiresAt} now={now} />
        </dd>
      </dl>
      {isNearIdleDeadline ? (
        <div className="notice stack-small">
          <p>{sessionMessages.endsSoon}</p>
          <button type="button" className="button button-primary" {...whenIdle(extend.isPending, () => extend.mutate())}>
            Stay signed in
          </button>
        </div>
      ) : null}
      <FormAlert message={describeError(extend.error, 'session-action').alert} />
    </>
  );
}

/** setTimeout cannot wait longer than this (about 24.8 days); a later deadline is checked early, harmlessly. */
const LONGEST_TIMEOUT_MS = 2 ** 31 - 1;
/** The server decides when the session is over: ask a moment after the deadline, not before. */
const AFTER_DEADLINE_MS = 1000;

/**
 * When the session's deadline passes, ask the server once: it either shows the session has moved on
 * (activity in another tab) or answers 401, which brings up the signed-out screen. A timer, not a
 * ticking clock, so nothing re-renders every second to watch for it.
 */
function useCheckAtDeadline(deadline: string) {
  const queryClient = useQueryClient();
  useEffect(() => {
    const timer = setTimeout(
      () => {
        void queryClient.invalidateQueries({ queryKey: authKeys.me() });
        void queryClient.invalidateQueries({ queryKey: sessionKeys.current() });
      },
      Math.min(Math.max(Date.parse(deadline) + AFTER_DEADLINE_MS - Date.now(), 0), LONGEST_TIMEOUT_MS),
    );
    return () => clearTimeout(timer);
  }, [deadline, queryClient]);
}
