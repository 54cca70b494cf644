import { lazy } from 'react';
import { Route, Routes } from 'react-router';
import { RequireGuest, RequireUser } from '../features/auth/route-guards';
import { NotFoundPage } from './simple-pages';

/*
 * The routes most visits never reach: the pages a mail leads to, the account's address, the dev
 * outbox and "not found". They and their code load together when one of them is opened, so the
 * entry every visit loads carries a single route for all of them.
 */
const mailPages = () => import('../features/recovery/mail-pages');
const ForgotPasswordPage = lazy(async () => ({ default: (await mailPages()).ForgotPasswordPage }));
const ResetPasswordPage = lazy(async () => ({ default: (await mailPages()).ResetPasswordPage }));
const VerifyEmailPage = lazy(async () => ({ default: (await mailPages()).VerifyEmailPage }));
const CancelEmailChangePage = lazy(async () => ({ default: (await mailPages()).CancelEmailChangePage }));
const EmailSettingsPage = lazy(async () => ({ default: (await import('../features/verification/email-settings-page')).EmailSettingsPage }));
/** Development only: the mail the server sent (the API answers 404 in production, and so does this path). */
const OutboxPage = lazy(async () => ({ default: (await import('../features/dev-outbox/outbox-page')).OutboxPage }));

export function MoreRoutes() {
  return (
    <Routes>
      <Route element={<RequireGuest />}>
        <Route path="forgot-password" element={<ForgotPasswordPage />} />
      </Route>
      {/* Links from mail: they work whether or not this browser is signed in. */}
      <Route path="reset-password" element={<ResetPasswordPage />} />
      <Route path="verify-email" element={<VerifyEmailPage />} />
      <Route path="cancel-email-change" element={<CancelEmailChangePage />} />
      <Route path="dev/outbox" element={<OutboxPage />} />
      <Route element={<RequireUser />}>
        <Route path="account/email" element={<EmailSettingsPage />} />
      </Route>
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
