import { useQuery } from '@tanstack/react-query';
import type { CookieExplanation } from '@gatehouse/types/sessions';
import { DateTime } from '../../lib/time-view';
import { formatDuration } from '../../lib/format-time';
import { QueryState } from '../../components/query-state';
import { sessionQueries } from './session-queries';

const yesNo = (value: boolean) => (value ? 'Yes' : 'No');

export function SessionDataSection() {
  const current = useQuery(sessionQueries.current());
  return (
    <section className="card" aria-labelledby="session-data-title">
      <h2 id="session-data-title">Session data</h2>
      {current.data ? (
        <>
          <p className="muted">What the server stores for this session. Secrets are masked.</p>
          <pre className="code-block">{JSON.stringify(current.data.data, null, 2)}</pre>
          <CookieExplanationView cookie={current.data.cookie} />
        </>
      ) : (
        <QueryState query={current} what="the session data" />
      )}
    </section>
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
          {cookie.name.startsWith('__Host-') ? ' (bound to this exact site, HTTPS only)' : null}
        </dd>
        <dt>HttpOnly</dt>
        <dd>{cookie.httpOnly ? 'Yes: scripts on the page cannot read it' : 'No: scripts on the page can read it'}</dd>
        <dt>Secure</dt>
        <dd>
          {cookie.secure ? 'Yes: sent over HTTPS only' : 'No: also sent over plain HTTP'} (server configured:{' '}
          {yesNo(server.secureConfigured)}, this request over HTTPS: {yesNo(server.requestIsSecure)}, trust proxy:{' '}
          {yesNo(server.trustProxy)})
        </dd>
        <dt>SameSite</dt>
        <dd>{cookie.sameSite ? cookie.sameSite.charAt(0).toUpperCase() + cookie.sameSite.slice(1) : 'Not set'}</dd>
        <dt>Path</dt>
        <dd>
          <code>{cookie.path}</code>
        </dd>
        <dt>Expiry</dt>
        <dd>
          {cookie.expiresAt ? <DateTime value={cookie.expiresAt} /> : 'When the browser closes (a browser-session cookie)'}
        </dd>
        <dt>Server configuration</dt>
        <dd>
          Idle timeout {formatDuration(server.idleTimeoutSeconds)} ({formatDuration(server.rememberMeIdleTimeoutSeconds)} with
          remember me), absolute lifetime {formatDuration(server.absoluteTimeoutSeconds)}, activity recorded at most every{' '}
          {formatDuration(server.touchAfterSeconds)}.
        </dd>
      </dl>
      {cookie.warnings.length > 0 ? (
        <ul className="warnings" aria-label="Cookie warnings">
          {cookie.warnings.map((warning) => (
            <li key={warning}>
              <strong>Warning:</strong> {warning}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No warnings: the cookie matches the server’s configuration.</p>
      )}
    </div>
  );
}
