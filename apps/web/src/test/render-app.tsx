import { render } from '@testing-library/react';
import { createMemoryRouter } from 'react-router';
import { App } from '../app/app';
import { createQueryClient } from '../app/query-client';
import { routes } from '../app/routes';
import { createSessionStatus } from '../features/auth/session-status';

/** The whole app at `path`, with a fresh cache that never retries (each test decides what the API says). */
export function renderApp(path = '/') {
  const sessionStatus = createSessionStatus();
  const queryClient = createQueryClient(sessionStatus, { queries: { retry: false }, mutations: { retry: false } });
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  const view = render(<App queryClient={queryClient} sessionStatus={sessionStatus} router={router} />);
  return { ...view, router, queryClient, sessionStatus };
}
