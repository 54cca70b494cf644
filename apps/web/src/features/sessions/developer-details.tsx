import { useQuery } from '@tanstack/react-query';
import type { CookieExplanation, SessionView } from '@gatehouse/types/sessions';
import { DateTime } from '../../lib/time-view';
import { formatDuration } from '../../lib/format-duration';
import { QueryState } from '../../components/query-state';
import { commonMessages } from '../../messages/common';
import { sessionMessages } from '../../messages/sessions';
import { developerMessages } from '../../messages/developer';
import { sessionQueries } from './session-queries';
import './developer-details.css';

const yesNo = (value: boolean) => (value ? commonMessages.yes : commonMessages.no);

/** The stored session document and what the browser was told about the cookie: for developers. */
export default function DeveloperDetails() {
  const current = useQuery(sessionQueries.current());
  if (!current.data) return <QueryState query={current} what={sessionMessages.sessionData} />;
  return (
    <div className="stack">
      <AssuranceView session={current.data.session} />
      <div className="stack-small">
        <h3>{developerMessages.deviceBindingTitle}</h3>
        <p>{developerMessages.deviceBinding(current.data.session.deviceBound)}</p>
      </div>
      <div className="stack-small">
        <h3>Stored data</h3>
        <p className="muted">{developerMessages.storedDataNote}</p>
        <pre className="code-block">{JSON.stringify(current.data.data, null, 2)}</pre>
      </div>
      <CookieExplanationView cookie={current.data.cookie} />
    </div>
  );
}

function AssuranceView({ session }: { session: SessionView }) {
  return (
    <div className="stack-small">
      <h3>{developerMessages.assuranceTitle}</h3>
      <dl className="facts">
        <dt>{developerMessages.assuranceLevel}</dt>
        <dd>
          <code>{session.assurance}</code> {developerMessages.assuranceFactors[session.assurance]}
        </dd>
        <dt>{developerMessages.authMethods}</dt>
        <dd>
          <code>{session.authMethods.join(', ')}</code>
          {session.signInProvider ? ` ${developerMessages.signInProvider(session.signInProvider)}` : null}
        </dd>
      </dl>
      <p className="muted">{developerMessages.assuranceNote}</p>
    </div>
  );
}

function CookieExplanationView({ cookie }: { cookie: CookieExplanation }) {
  const { server } = cookie;
  return (
    <div className="stack-small">
      <h3>Explain my cookie</h3>
      <dl className="facts">
        <dt>Name</dt>
        <dd>
          <code>{cookie.name}</code>
          {cookie.name.startsWith('__Host-') ? ` ${developerMessages.hostPrefix}` : null}
        </dd>
        <dt>HttpOnly</dt>
        <dd>{cookie.httpOnly ? developerMessages.httpOnly : developerMessages.notHttpOnly}</dd>
        <dt>Secure</dt>
        <dd>{developerMessages.secure(cookie.secure, yesNo(server.secureConfigured), yesNo(server.requestIsSecure), yesNo(server.trustProxy))}</dd>
        <dt>SameSite</dt>
        <dd>{cookie.sameSite ? cookie.sameSite.charAt(0).toUpperCase() + cookie.sameSite.slice(1) : developerMessages.notSet}</dd>
        <dt>Path</dt>
        <dd>
          <code>{cookie.path}</code>
        </dd>
        <dt>Expiry</dt>
        <dd>{cookie.expiresAt ? <DateTime value={cookie.expiresAt} /> : developerMessages.browserSession}</dd>
        <dt>Server configuration</dt>
        <dd>
          {developerMessages.serverConfiguration({
            idle: formatDuration(server.idleTimeoutSeconds),
            rememberMeIdle: formatDuration(server.rememberMeIdleTimeoutSeconds),
            absolute: formatDuration(server.absoluteTimeoutSeconds),
            touchAfter: formatDuration(server.touchAfterSeconds),
          })}
        </dd>
      </dl>
      {cookie.warnings.length > 0 ? (
        <ul className="warnings" aria-label={developerMessages.warningsLabel}>
          {cookie.warnings.map((warning) => (
            <li key={warning}>
              <strong>{developerMessages.warning}</strong> {warning}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">{developerMessages.noCookieWarnings}</p>
      )}
    </div>
  );
}
