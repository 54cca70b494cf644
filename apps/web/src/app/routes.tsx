import { Route, Routes } from 'react-router';
import { RequireAdmin, RequireGuest, RequireUser } from '../features/auth/route-guards';
import {
  AdminPage,
  DashboardPage,
  EmailSettingsPage,
  ForgotPasswordPage,
  LoginPage,
  OutboxPage,
  RegisterPage,
  ResetPasswordPage,
  VerifyEmailPage,
} from './pages';
import { RootLayout } from './root-layout';
import { NotFoundPage } from './simple-pages';
import { RouteErrorBoundary } from './route-error-boundary';

export function AppRoutes() {
  return (
    <RouteErrorBoundary>
      <Routes>
        <Route element={<RootLayout />}>
          <Route element={<RequireGuest />}>
            <Route path="login" element={<LoginPage />} />
            <Route path="register" element={<RegisterPage />} />
            <Route path="forgot-password" element={<ForgotPasswordPage />} />
          </Route>
          {/* Links from mail: they work whether or not this browser is signed in. */}
          <Route path="reset-password" element={<ResetPasswordPage />} />
          <Route path="verify-email" element={<VerifyEmailPage />} />
          <Route path="dev/outbox" element={<OutboxPage />} />
          <Route element={<RequireUser />}>
            <Route index element={<DashboardPage />} />
            <Route path="account/email" element={<EmailSettingsPage />} />
            <Route path="admin" element={<RequireAdmin />}>
              <Route index element={<AdminPage />} />
            </Route>
          </Route>
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </RouteErrorBoundary>
  );
}
