import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import type { SessionView } from '@gatehouse/types/sessions';
import { describeDevice, sessionTitle } from '../../lib/device';
import { RelativeTime } from '../../lib/time-view';
import { commonMessages } from '../../messages/common';
import { describeAuthMethods, sessionMessages } from '../../messages/sessions';
import { whenIdle } from '../../components/when-idle';

/** Fetched the first time someone renames a device. */
const RenameDeviceForm = lazy(() => import('./rename-device-form'));

interface SessionCardProps {
  session: SessionView;
  now: number;
  isRevoking: boolean;
  onRevoke: () => void;
}

/** One session of the account, told apart from the others by name, browser, times, sign-in method and address. */
export function SessionCard({ session, now, isRevoking, onRevoke }: SessionCardProps) {
  const [isRenaming, setIsRenaming] = useState(false);
  const renameRef = useRef<HTMLButtonElement>(null);
  const shouldRefocus = useRef(false);
  const title = sessionTitle(session);

  // Back to where the person started once the Rename button is there again.
  useEffect(() => {
    if (isRenaming || !shouldRefocus.current) return;
    shouldRefocus.current = false;
    renameRef.current?.focus();
  }, [isRenaming]);
  const stopRenaming = () => {
    shouldRefocus.current = true;
    setIsRenaming(false);
  };

  return (
    <li className={session.isCurrent ? 'item-card item-card-current' : 'item-card'}>
      <div className="item-card-title">
        <h3>{title}</h3>
        {session.isCurrent ? <span className="badge badge-current">{sessionMessages.thisDevice}</span> : null}
        {session.deviceBound ? <span className="badge">{sessionMessages.deviceBound}</span> : null}
      </div>
      {session.deviceName ? <p className="muted">{describeDevice(session.device)}</p> : null}
      {isRenaming ? (
        <Suspense fallback={null}>
          <RenameDeviceForm session={session} onDone={stopRenaming} />
        </Suspense>
      ) : null}
      <dl className="item-facts">
        <div>
          <dt>Last active</dt>
          <dd>
            <RelativeTime value={session.lastActiveAt} now={now} isPast />
          </dd>
        </div>
        <div>
          <dt>Signed in</dt>
          <dd>
            <RelativeTime value={session.createdAt} now={now} isPast />
            {session.rememberMe ? ` · ${sessionMessages.remembered}` : null}
          </dd>
        </div>
        {session.authMethods.length > 0 ? (
          <div>
            <dt>Sign-in method</dt>
            <dd>{describeAuthMethods(session)}</dd>
          </div>
        ) : null}
        <div>
          <dt>Verification</dt>
          <dd>{sessionMessages.assurance[session.assurance]}</dd>
        </div>
        <div>
          <dt>First seen</dt>
          <dd>
            <RelativeTime value={session.firstSeenAt} now={now} isPast />
          </dd>
        </div>
        <div>
          <dt>IP address</dt>
          <dd>{session.ip ?? commonMessages.unknown}</dd>
        </div>
      </dl>
      {isRenaming ? null : (
        <div className="actions">
          <button
            ref={renameRef}
            type="button"
            className="button button-small"
            aria-label={sessionMessages.renameLabel(title)}
            onClick={() => setIsRenaming(true)}
          >
            Rename
          </button>
          {session.isCurrent ? null : (
            <button
              type="button"
              className="button button-small button-danger"
              aria-label={sessionMessages.revokeLabel(title)}
              {...whenIdle(isRevoking, onRevoke)}
            >
              Revoke
            </button>
          )}
        </div>
      )}
    </li>
  );
}
