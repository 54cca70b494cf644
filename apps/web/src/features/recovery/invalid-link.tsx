import { Link } from 'react-router';

/** What every used, expired, replaced or mangled link shows: the server does not say which, nor does this. */
export function InvalidLink({ retry }: { retry: { to: string; label: string } }) {
  return (
    <div className="card narrow stack">
      <title>Link no longer valid · Gatehouse</title>
      <h1>This link no longer works</h1>
      <p role="alert" className="alert alert-error">
        The link was already used, has expired, or a newer link replaced it.
      </p>
      <p>
        <Link to={retry.to}>{retry.label}</Link>
      </p>
    </div>
  );
}
