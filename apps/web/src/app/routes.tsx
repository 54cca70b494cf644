import type { RouteObject } from 'react-router';
import { RequireAdmin, RequireGuest, RequireUser } from '../features/auth/route-guards';
import { LoginPage } from '../features/auth/login-page';
import { RegisterPage } from '../features/auth/register-page';
import { DashboardPage } from '../features/dashboard/dashboard-page';
import { RootLayout } from './root-layout';
import { NotFoundPage, PageLoading, RouteErrorPage } from './simple-pages';

export const routes: RouteObject[] = [
  {
    element: <RootLayout />,
    errorElement: <RouteErrorPage />,
    HydrateFallback: PageLoading,
    children: [
      {
        element: <RequireGuest />,
        children: [
          { path: 'login', element: <LoginPage /> },
          { path: 'register', element: <RegisterPage /> },
        ],
      },
      {
        element: <RequireUser />,
        children: [
          { index: true, element: <DashboardPage /> },
          {
            path: 'admin',
            element: <RequireAdmin />,
            children: [
              {
                index: true,
                // Most people never open the admin area, so its code is loaded only when they do.
                lazy: async () => ({ Component: (await import('../features/admin/admin-page')).AdminPage }),
              },
            ],
          },
        ],
      },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];
