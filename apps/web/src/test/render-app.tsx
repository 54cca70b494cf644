import { StrictMode, useLayoutEffect } from 'react';
import { render } from '@testing-library/react';
import { MemoryRouter, useLocation } from 'react-router';
import { App } from '../app/app';
import { createQueryClient } from '../app/query-client';
import { AppRoutes } from '../app/routes';
import { createSessionStatus } from '../features/auth/session-status';

/**
 * The whole app at `path`, with a fresh cache that never retries (each test decides what the API says).
 * `isStrict` renders it as main.tsx does, in StrictMode, whose doubled effects must not send a request twice.
 */
export function renderApp(path = '/', { isStrict = false }: { isStrict?: boolean } = {}) {
  const sessionStatus = createSessionStatus();
  const queryClient = createQueryClient(sessionStatus, { queries: { retry: false }, mutations: { retry: false } });
  const location = { pathname: path };
  function LocationProbe() {
    const { pathname } = useLocation();
    // A layout effect runs in the commit that shows the new page; a passive one may run a task later
    // (navigation is a transition), after a `findBy…` has already seen the page.
    useLayoutEffect(() => {
      location.pathname = pathname;
    }, [pathname]);
    return null;
  }
  const app = (
    <App queryClient={queryClient} sessionStatus={sessionStatus}>
      <MemoryRouter initialEntries={[path]}>
        <LocationProbe />
        <AppRoutes />
      </MemoryRouter>
    </App>
  );
  const view = render(isStrict ? <StrictMode>{app}</StrictMode> : app);
  /** `location.pathname` is where the app has navigated to by now. */
  return { ...view, location, queryClient, sessionStatus };
}
