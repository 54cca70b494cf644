import { lazy, Suspense } from 'react';
import { useQuery } from '@tanstack/react-query';
import { authQueries } from '../auth/auth-queries';
import { ThisSessionSection } from '../sessions/this-session-section';
import { AllSessionsSection } from '../sessions/all-sessions-section';
import { SessionDataSection } from '../sessions/session-data-section';
import { RecentActivitySection } from '../activity/recent-activity-section';
import { ChangePasswordSection } from '../auth/change-password-section';

// Set up once and rarely visited again: their code (QR codes, WebAuthn) stays out of the dashboard's first load.
const TwoFactorSection = lazy(async () => ({ default: (await import('../second-factor/two-factor-section')).TwoFactorSection }));
const PasskeysSection = lazy(async () => ({ default: (await import('../passkeys/passkeys-section')).PasskeysSection }));

export function DashboardPage() {
  const me = useQuery(authQueries.me());
  const firstName = me.data?.user.name;
  return (
    <div className="page">
      <title>Dashboard · Gatehouse</title>
      <h1>{firstName ? `Hello, ${firstName}` : 'Dashboard'}</h1>
      <p className="lead">Where you are signed in, and what happened lately.</p>
      <div className="dashboard-grid">
        <ThisSessionSection />
        <RecentActivitySection />
        <AllSessionsSection />
        <SessionDataSection />
        <ChangePasswordSection />
        <Suspense fallback={null}>
          <TwoFactorSection />
          <PasskeysSection />
        </Suspense>
      </div>
    </div>
  );
}
