import { Suspense } from 'react';
import { Outlet } from 'react-router';
import { useSessionEndReason } from '../features/auth/session-status-context';
import { SignedOutScreen } from '../features/auth/signed-out-screen';
import { ReauthProvider } from '../features/reauth/reauth-provider';
import { AppHeader } from './app-header';
import { ServiceBanner } from './service-status';
import { PageLoading } from './simple-pages';

export function RootLayout() {
  const endReason = useSessionEndReason();
  return (
    <ReauthProvider>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <AppHeader />
      <ServiceBanner />
      <main id="main" className="app-main" tabIndex={-1}>
        {endReason ? (
          <SignedOutScreen reason={endReason} />
        ) : (
          <Suspense fallback={<PageLoading />}>
            <Outlet />
          </Suspense>
        )}
      </main>
    </ReauthProvider>
  );
}
