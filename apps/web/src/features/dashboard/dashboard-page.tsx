import { lazy, Suspense } from 'react';
import { useQuery } from '@tanstack/react-query';
import { authQueries } from '../auth/auth-queries';
import { ThisSessionSection } from '../sessions/this-session-section';
import { AllSessionsSection } from '../sessions/all-sessions-section';
import { RecentActivitySection } from '../activity/recent-activity-section';
import { dashboardMessages } from '../../messages/dashboard';

/*
 * The address line (verified badge, or a banner until the address is confirmed) and what a provider's
 * redirect back says come a moment after the page, in a chunk of their own: the dashboard has no bytes to
 * spare (README: bundle budget).
 */
const DashboardBanners = lazy(() => import('./dashboard-banners'));
// Set up once and rarely visited again: their code (QR codes, WebAuthn, the password form) stays out of the
// dashboard's first load.
const SecondFactorSections = lazy(() => import('../second-factor/sections'));
const ChangePasswordSection = lazy(() => import('../auth/change-password-section'));
// Last on the page and read by few: it comes with the sections above rather than with the first load.
const SessionDataSection = lazy(() => import('../sessions/session-data-section'));

export function DashboardPage() {
  const me = useQuery(authQueries.me());
  const name = me.data?.user.name;
  return (
    <div className="page">
      <title>Dashboard · Gatehouse</title>
      <h1>{name ? dashboardMessages.hello(name) : 'Dashboard'}</h1>
      <p className="lead">{dashboardMessages.lead}</p>
      <Suspense>{me.data ? <DashboardBanners user={me.data.user} /> : null}</Suspense>
      <div className="dashboard-grid">
        <ThisSessionSection />
        <RecentActivitySection />
        <AllSessionsSection />
        <Suspense>
          <ChangePasswordSection />
          <SecondFactorSections />
        </Suspense>
        <Suspense>
          <SessionDataSection />
        </Suspense>
      </div>
    </div>
  );
}
