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

const mailPages = () => import('../features/recovery/mail-pages');
export const ForgotPasswordPage = lazyPage(async () => (await mailPages()).ForgotPasswordPage);
export const ResetPasswordPage = lazyPage(async () => (await mailPages()).ResetPasswordPage);
export const VerifyEmailPage = lazyPage(async () => (await mailPages()).VerifyEmailPage);
export const EmailSettingsPage = lazyPage(async () => (await import('../features/verification/email-settings-page')).EmailSettingsPage);
/** Development only: the mail the server sent (the API answers 404 in production, and so does this path). */
export const OutboxPage = lazyPage(async () => (await import('../features/dev-outbox/outbox-page')).OutboxPage);

const PAGE_AT: Readonly<Record<string, Page>> = {
  '/': DashboardPage,
  '/login': LoginPage,
  '/register': RegisterPage,
  '/admin': AdminPage,
  // Opened straight from a mail.
  '/reset-password': ResetPasswordPage,
  '/verify-email': VerifyEmailPage,
};

/**
 * Starts fetching the code of the page a URL names while `/api/auth/me` is still on its way, rather
 * than after the route guard has its answer. Other pages' code is not fetched.
 */
export function preloadPageAt(pathname: string): void {
  const page = PAGE_AT[pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname];
  page?.preload().catch(() => undefined);
}
