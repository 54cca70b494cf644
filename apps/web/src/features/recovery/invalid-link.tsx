import { Link } from 'react-router';
import { recoveryMessages } from '../../messages/recovery';

/** What every used, expired, replaced or mangled link shows: the server does not say which, nor does this. */
export function InvalidLink({ retry }: { retry: { to: string; label: string } }) {
  return (
    <div className="card narrow stack">
      <title>{`${recoveryMessages.deadLinkTitle} · Gatehouse`}</title>
      <h1>{recoveryMessages.deadLinkTitle}</h1>
      <p role="alert" className="alert alert-error">
        {recoveryMessages.deadLink}
      </p>
      <p>
        <Link to={retry.to}>{retry.label}</Link>
      </p>
    </div>
  );
}
