import { lazy, Suspense, useState } from 'react';
import { useLocation } from 'react-router';
import type { User } from '@gatehouse/types/users';
import EmailStatusLine from '../verification/email-status-line';

/** Only a provider's redirect back (`/?connected=google`) has something to say: its code loads then. */
const ProviderNotice = lazy(() => import('../oidc/provider-notice'));

/** What the dashboard says above its sections: the address and its state, and what a provider's redirect back says. */
export default function DashboardBanners({ user }: { user: User }) {
  // Read once: the notice takes its parameters out of the address bar, and must stay shown.
  const [hasQuery] = useState(useLocation().search !== '');
  return (
    <>
      <EmailStatusLine user={user} />
      {hasQuery ? (
        <Suspense>
          <ProviderNotice />
        </Suspense>
      ) : null}
    </>
  );
}
