import './lib/zod-csp';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter } from 'react-router';
import { App } from './app/app';
import { createQueryClient } from './app/query-client';
import { routes } from './app/routes';
import { createSessionStatus } from './features/auth/session-status';
import './app/app.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

const sessionStatus = createSessionStatus();
const queryClient = createQueryClient(sessionStatus);
const router = createBrowserRouter(routes);

createRoot(root).render(
  <StrictMode>
    <App queryClient={queryClient} sessionStatus={sessionStatus} router={router} />
  </StrictMode>,
);
