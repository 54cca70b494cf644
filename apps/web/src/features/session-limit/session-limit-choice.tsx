import { useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import type { SecondFactorMethod } from '@gatehouse/types/second-factor';
import type { SessionChoice, SessionLimitDetails } from '@gatehouse/types/sessions';
import { FormAlert } from '../../components/form-alert';
import { whenIdle } from '../../components/when-idle';
import { isApiError } from '../../lib/api-client';
import { describeDevice } from '../../lib/device';
import { describeError } from '../../lib/form-errors';
import { RelativeTime } from '../../lib/time-view';
import { useNow } from '../../lib/use-now';
import { sessionLimitMessages as TEXT } from '../../messages/session-limit';
import { sessionLimitApi } from './session-limit-queries';

interface SessionLimitChoiceProps {
  /** The refused sign-in (409 `session_limit_reached`); anything else shows nothing. */
  error: unknown;
  onSignedIn: () => unknown;
  onSecondStep: (methods: SecondFactorMethod[]) => void;
}

/**
 * Under the sign-in form when the account is at its session cap (SESSION_LIMIT_POLICY=refuse): the
 * account's sessions, each with a button that ends it and finishes this sign-in with the ticket the
 * refusal carried (single-use, this browser only). A sign-in elsewhere that took the place meanwhile
 * gives a fresh list.
 */
export default function SessionLimitChoice({ error, onSignedIn, onSecondStep }: SessionLimitChoiceProps) {
  const refused = (isApiError(error, 'session_limit_reached') && error.sessionLimit) || null;
  // The refusal of a choice replaces the list it came from.
  const [again, setAgain] = useState<{ from: SessionLimitDetails; limit: SessionLimitDetails } | null>(null);
  const limit = again && again.from === refused ? again.limit : refused;
  const now = useNow();
  const choose = useMutation({
    mutationFn: (session: SessionChoice) => sessionLimitApi.endSessionAndSignIn({ ticket: limit?.ticket ?? '', endSession: session.handle }),
    onSuccess: (result) => ('secondFactorRequired' in result ? onSecondStep(result.methods) : onSignedIn()),
    onError: (failure) => {
      if (refused && isApiError(failure, 'session_limit_reached') && failure.sessionLimit) setAgain({ from: refused, limit: failure.sessionLimit });
    },
  });
  if (!limit) return null;
  const failure = isApiError(choose.error, 'session_limit_reached') ? null : choose.error;

  return (
    <section className="stack" aria-labelledby="session-limit-title">
      <h2 id="session-limit-title">{TEXT.title}</h2>
      <p>{TEXT.intro(limit.max)}</p>
      <FormAlert message={isApiError(failure, 'invalid_token') ? TEXT.expired : describeError(failure, 'sign-in').alert} />
      <ul className="card-list">
        {limit.sessions.map((session) => {
          const device = describeDevice(session.device);
          return (
            <li key={session.handle} className="item-card">
              <div className="item-card-title">
                <h3>{device}</h3>
              </div>
              <p className="muted">
                {TEXT.lastActive} <RelativeTime value={session.lastActiveAt} now={now} isPast />, {TEXT.signedInSince}{' '}
                <RelativeTime value={session.createdAt} now={now} isPast />
                {session.ip ? ` ${TEXT.from} ${session.ip}` : null}
              </p>
              <button
                type="button"
                className="button"
                aria-label={TEXT.endAndSignInLabel(device)}
                {...whenIdle(choose.isPending, () => choose.mutate(session))}
              >
                {TEXT.endAndSignIn}
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
