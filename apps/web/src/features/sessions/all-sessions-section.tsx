import { useRef } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { SessionView } from '@gatehouse/types/sessions';
import { sessionTitle } from '../../lib/device';
import { useNow } from '../../lib/use-now';
import { describeError } from '../../lib/form-errors';
import { FormAlert } from '../../components/form-alert';
import { QueryState } from '../../components/query-state';
import { useConfirm } from '../../components/use-confirm';
import { useFocusRescue } from '../../components/use-focus-rescue';
import { whenIdle } from '../../components/when-idle';
import { sessionMessages } from '../../messages/sessions';
import { usePollInterval } from '../live/live-status';
import { useWithReauth } from '../reauth/reauth-context';
import { activityKeys } from '../activity/activity-queries';
import { sessionApi, sessionKeys, sessionQueries } from './session-queries';
import { SessionCard } from './session-card';

const byLatestActivity = (a: SessionView, b: SessionView) => Date.parse(b.lastActiveAt) - Date.parse(a.lastActiveAt);

export function AllSessionsSection() {
  const list = useQuery({ ...sessionQueries.list(), refetchInterval: usePollInterval() });
  const queryClient = useQueryClient();
  const withReauth = useWithReauth();
  const { confirm, dialog } = useConfirm();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const now = useNow();

  const refreshAfterChange = () =>
    Promise.all([queryClient.invalidateQueries({ queryKey: sessionKeys.all }), queryClient.invalidateQueries({ queryKey: activityKeys.all })]);
  const revoke = useMutation({ mutationFn: withReauth(sessionApi.revoke), onSuccess: refreshAfterChange });
  const revokeOthers = useMutation({ mutationFn: withReauth(sessionApi.revokeOthers), onSuccess: refreshAfterChange });
  const focusRescue = useFocusRescue(headingRef, list.data);

  const sessions = list.data ? [...list.data.sessions].sort(byLatestActivity) : null;
  const otherCount = sessions?.filter((session) => !session.isCurrent).length ?? 0;
  const cap = list.data?.cap;

  const onRevoke = async (session: SessionView) => {
    const title = sessionTitle(session);
    const isConfirmed = await confirm({
      title: sessionMessages.confirmRevokeTitle(title),
      body: <p>{sessionMessages.confirmRevokeBody}</p>,
      confirmLabel: sessionMessages.confirmRevoke,
    });
    if (isConfirmed) revoke.mutate(session.handle);
  };
  const onRevokeOthers = async () => {
    const isConfirmed = await confirm({
      title: sessionMessages.confirmRevokeOthersTitle,
      body: <p>{sessionMessages.confirmRevokeOthersBody(otherCount)}</p>,
      confirmLabel: sessionMessages.confirmRevokeOthers,
    });
    if (isConfirmed) revokeOthers.mutate();
  };

  const status = revokeOthers.data
    ? revokeOthers.data.revoked === 0
      ? sessionMessages.noOtherSessions
      : sessionMessages.signedOutOthers(revokeOthers.data.revoked)
    : '';

  return (
    <section className="card card-wide" aria-labelledby="all-sessions-title" {...focusRescue}>
      <div className="section-heading">
        <h2 id="all-sessions-title" ref={headingRef} tabIndex={-1}>
          All your sessions
        </h2>
        {otherCount > 0 ? (
          <button type="button" className="button" {...whenIdle(revokeOthers.isPending, () => void onRevokeOthers())}>
            Sign out everywhere else
          </button>
        ) : null}
      </div>
      {sessions && cap ? <p className="muted">{`${sessions.length} of ${cap.max} sessions`}</p> : null}
      <p role="status" className="status-message">
        {status}
      </p>
      <FormAlert message={describeError(revoke.error ?? revokeOthers.error, 'session-action').alert} />
      {sessions ? (
        <ul className="card-list">
          {sessions.map((session) => (
            <SessionCard
              key={session.handle}
              session={session}
              now={now}
              isRevoking={revoke.isPending && revoke.variables === session.handle}
              onRevoke={() => void onRevoke(session)}
            />
          ))}
        </ul>
      ) : (
        <QueryState query={list} what={sessionMessages.theseSessions} />
      )}
      {dialog}
    </section>
  );
}
