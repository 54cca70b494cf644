import { lazy, type ComponentType } from 'react';

type Page = ReturnType<typeof lazy<ComponentType>> & { preload(): Promise<unknown> };

/** A page whose code is fetched the first time it is shown, or earlier through `preload`. */
function lazyPage(load: () => Promise<ComponentType>): Page {
  let loading: Promise<{ default: ComponentType }> | undefined;
  const preload = () => (loading ??= load().then((Component) => ({ default: Component })));
  return Object.assign(lazy(preload), { preload });
}

export const LoginPage = lazyPage(async () => (await import('../features/auth/login-page')).LoginPage);
export const RegisterPage = lazyPage(async () => (await import('../features/auth/register-page')).RegisterPage);
export const DashboardPage = lazyPage(async () => (await import('../features/dashboard/dashboard-page')).DashboardPage);
/** Most people never open the admin area, so its code is loaded only when they do. */
export const AdminPage = lazyPage(async () => (await import('../features/admin/admin-page')).AdminPage);
/** Every other path: forgot password, links from mail, the account's address, the dev outbox, not found. */
export const MoreRoutes = lazyPage(async () => (await import('./more-routes')).MoreRoutes);

const PAGE_AT: Readonly<Record<string, Page>> = { '/': DashboardPage, '/login': LoginPage, '/register': RegisterPage, '/admin': AdminPage };

/**
 * Starts fetching the code of the page a URL names while `/api/auth/me` is still on its way, rather
 * than after the route guard has its answer. Other pages' code is not fetched.
 */
export function preloadPageAt(pathname: string): void {
  const page = PAGE_AT[pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname];
  page?.preload().catch(() => undefined);
}
