import { useEffect, useRef } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CurrentSessionResponse, ExtendSessionResponse } from '@gatehouse/types/sessions';
import { useNow } from '../../lib/use-now';
import { describeDevice } from '../../lib/device';
import { DateTime, Deadline, RelativeTime } from '../../lib/time-view';
import { formErrorMessage } from '../../lib/form-errors';
import { FormAlert } from '../../components/form-alert';
import { QueryState } from '../../components/query-state';
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
      {current.data ? <SessionFacts current={current.data} /> : <QueryState query={current} what="this session" />}
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
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: sessionKeys.list() }),
        queryClient.invalidateQueries({ queryKey: authKeys.me() }),
      ]);
    },
  });

  const idleRemaining = Date.parse(session.idleExpiresAt) - now;
  const absoluteRemaining = Date.parse(session.absoluteExpiresAt) - now;
  const idleTimeoutSeconds = session.rememberMe ? cookie.server.rememberMeIdleTimeoutSeconds : cookie.server.idleTimeoutSeconds;
  const isNearIdleDeadline = shouldOfferStaySignedIn(idleRemaining, idleTimeoutSeconds);
  useCheckWhenDeadlinePasses(Math.min(idleRemaining, absoluteRemaining) <= 0, session.idleExpiresAt);

  return (
    <>
      <dl className="facts">
        <dt>Started</dt>
        <dd>
          <DateTime value={session.createdAt} />
        </dd>
        <dt>Last active</dt>
        <dd>
          <RelativeTime value={session.lastActiveAt} now={now} />
        </dd>
        <dt>Browser and OS</dt>
        <dd>{describeDevice(session.device)}</dd>
        <dt>IP address</dt>
        <dd>{session.ip ?? 'Unknown'}</dd>
        <dt>Remember me</dt>
        <dd>{session.rememberMe ? 'Yes' : 'No'}</dd>
        <dt>Idle expiry</dt>
        <dd>
          <Deadline value={session.idleExpiresAt} now={now} />
        </dd>
        <dt>Absolute expiry</dt>
        <dd>
          <Deadline value={session.absoluteExpiresAt} now={now} />
        </dd>
      </dl>
      {isNearIdleDeadline ? (
        <div className="notice stack-small">
          <p>This session ends soon if you stay inactive.</p>
          <button type="button" className="button button-primary" {...whenIdle(extend.isPending, () => extend.mutate())}>
            Stay signed in
          </button>
        </div>
      ) : null}
      <FormAlert message={formErrorMessage(extend.error)} />
    </>
  );
}

/**
 * When a deadline passes, ask the server once: it either shows the session has moved on (activity in
 * another tab) or answers 401, which brings up the signed-out screen.
 */
function useCheckWhenDeadlinePasses(hasPassed: boolean, deadline: string) {
  const queryClient = useQueryClient();
  const checkedDeadline = useRef<string | null>(null);
  useEffect(() => {
    if (!hasPassed || checkedDeadline.current === deadline) return;
    checkedDeadline.current = deadline;
    void queryClient.invalidateQueries({ queryKey: authKeys.me() });
    void queryClient.invalidateQueries({ queryKey: sessionKeys.current() });
  }, [hasPassed, deadline, queryClient]);
}
