import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { App } from './app/app';
import { preloadPageAt } from './app/pages';
import { createQueryClient } from './app/query-client';
import { AppRoutes } from './app/routes';
import { createSessionStatus } from './features/auth/session-status';
import './app/app.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

const sessionStatus = createSessionStatus();
const queryClient = createQueryClient(sessionStatus);
preloadPageAt(window.location.pathname);

createRoot(root).render(
  <StrictMode>
    <App queryClient={queryClient} sessionStatus={sessionStatus}>
      <BrowserRouter>
        <AppRoutes />
      </BrowserRouter>
    </App>
  </StrictMode>,
);
