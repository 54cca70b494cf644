/** Pages of the SPA that mail links to; the web app routes the same paths. */
export const LINK_PATHS = {
  resetPassword: '/reset-password',
  verifyEmail: '/verify-email',
  cancelEmailChange: '/cancel-email-change',
  forgotPassword: '/forgot-password',
  signIn: '/login',
  dashboard: '/',
} as const;

export interface Links {
  resetPassword(token: string): string;
  verifyEmail(token: string): string;
  cancelEmailChange(token: string): string;
  forgotPassword(): string;
  signIn(): string;
  dashboard(): string;
}

/**
 * Absolute links from the configured PUBLIC_URL, never from the request's Host header: a forged Host
 * would otherwise send the reset link to the attacker's site (reset-link poisoning).
 */
export function createLinks(publicUrl: string): Links {
  const page = (path: string, token?: string) => `${publicUrl}${path}${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`;
  return {
    resetPassword: (token) => page(LINK_PATHS.resetPassword, token),
    verifyEmail: (token) => page(LINK_PATHS.verifyEmail, token),
    cancelEmailChange: (token) => page(LINK_PATHS.cancelEmailChange, token),
    forgotPassword: () => page(LINK_PATHS.forgotPassword),
    signIn: () => page(LINK_PATHS.signIn),
    dashboard: () => page(LINK_PATHS.dashboard),
  };
}
