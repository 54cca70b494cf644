import { Route, Routes } from 'react-router';
import { RequireAdmin, RequireGuest, RequireUser } from '../features/auth/route-guards';
import { AdminPage, DashboardPage, LoginPage, MoreRoutes, RegisterPage } from './pages';
import { RootLayout } from './root-layout';
import { RouteErrorBoundary } from './route-error-boundary';

export function AppRoutes() {
  return (
    <RouteErrorBoundary>
      <Routes>
        <Route element={<RootLayout />}>
          <Route element={<RequireGuest />}>
            <Route path="login" element={<LoginPage />} />
            <Route path="register" element={<RegisterPage />} />
          </Route>
          <Route element={<RequireUser />}>
            <Route index element={<DashboardPage />} />
            <Route path="admin" element={<RequireAdmin />}>
              <Route index element={<AdminPage />} />
            </Route>
          </Route>
          {/* Forgot password, links from mail, the account's address, the dev outbox, not found (more-routes.tsx). */}
          <Route path="*" element={<MoreRoutes />} />
        </Route>
      </Routes>
    </RouteErrorBoundary>
  );
}
