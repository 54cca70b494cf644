import { Link } from 'react-router';

export function NotFoundPage() {
  return (
    <div className="card narrow stack">
      <title>Page not found · Gatehouse</title>
      <h1>Page not found</h1>
      <p>
        <Link to="/">Go to your dashboard</Link>
      </p>
    </div>
  );
}

export function RouteErrorPage() {
  return (
    <main id="main" className="app-main">
      <div className="card narrow stack">
        <h1>Something went wrong</h1>
        <p role="alert">This page could not be shown. Reloading usually helps.</p>
        <p>
          <a href="/">Back to the start</a>
        </p>
      </div>
    </main>
  );
}

export function PageLoading() {
  return (
    <p className="loading" aria-busy="true">
      Loading…
    </p>
  );
}
