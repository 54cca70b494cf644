import { lazy, Suspense } from 'react';

// A loader of its own: the dashboard's chunk names only this small one, and this one the sections'
// code and everything it shares with the sign-in pages (bytes the dashboard's first load does not pay).
const TwoFactorSection = lazy(async () => ({ default: (await import('./two-factor-section')).TwoFactorSection }));
const PasskeysSection = lazy(async () => ({ default: (await import('../passkeys/passkeys-section')).PasskeysSection }));
const ConnectionsSection = lazy(() => import('../oidc/connections-section'));
const LeavingSection = lazy(() => import('../account/leaving-section'));

/** The dashboard's second factors, connected accounts and "Your data" (export, deletion), loaded after the rest of the page (inside its Suspense boundary). */
export default function SecondFactorSections() {
  return (
    <>
      <TwoFactorSection />
      <PasskeysSection />
      <ConnectionsSection />
      {/* Its own boundary: the sections above never wait for this chunk. */}
      <Suspense>
        <LeavingSection />
      </Suspense>
    </>
  );
}
