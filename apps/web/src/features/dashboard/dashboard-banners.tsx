import { lazy, Suspense, useState } from 'react';
import { useLocation } from 'react-router';
import type { CurrentUser } from '@gatehouse/types/auth';
import EmailStatusLine from '../verification/email-status-line';

/** Only a provider's redirect back (`/?connected=google`) has something to say: its code loads then. */
const ProviderNotice = lazy(() => import('../oidc/provider-notice'));
/** Only a session signed in with a breached password shows it. */
const BreachedPasswordBanner = lazy(() => import('../passwords/breached-password-banner'));

/**
 * What the dashboard says above its sections: a password found in a breach (asking for a new one), the
 * address and its state, and what a provider's redirect back says.
 */
export default function DashboardBanners({ user }: { user: CurrentUser }) {
  // Read once: the notice takes its parameters out of the address bar, and must stay shown.
  const [hasQuery] = useState(useLocation().search !== '');
  return (
    <>
      {user.passwordBreached ? (
        <Suspense>
          <BreachedPasswordBanner />
        </Suspense>
      ) : null}
      <EmailStatusLine user={user} />
      {hasQuery ? (
        <Suspense>
          <ProviderNotice />
        </Suspense>
      ) : null}
    </>
  );
}
