/** The developer details: stored data and "Explain my cookie". The cookie's warnings come from the API as sent. */
import type { Assurance } from '@gatehouse/types/sessions';

export const developerMessages = {
  assuranceTitle: 'Assurance',
  assuranceLevel: 'Assurance level',
  authMethods: 'Sign-in methods',
  signInProvider: (name: string) => `(OpenID Connect provider: ${name})`,
  assuranceFactors: { aal1: '(one factor)', aal2: '(two factors)' } satisfies Record<Assurance, string>,
  assuranceNote:
    'NIST SP 800-63B authenticator assurance: aal1 is one factor (a password, or a link from a mail), aal2 two (a password with an authenticator or recovery code, or a passkey that checked it was you).',
  storedDataNote: 'What the server stores for this session. Secrets are masked.',
  noCookieWarnings: 'No warnings: the cookie matches the server’s configuration.',
  hostPrefix: '(bound to this exact site, HTTPS only)',
  httpOnly: 'Yes: scripts on the page cannot read it',
  notHttpOnly: 'No: scripts on the page can read it',
  secure: (isSecure: boolean, configured: string, overHttps: string, trustProxy: string) =>
    `${isSecure ? 'Yes: sent over HTTPS only' : 'No: also sent over plain HTTP'} (server configured: ${configured}, this request over HTTPS: ${overHttps}, trust proxy: ${trustProxy})`,
  notSet: 'Not set',
  browserSession: 'When the browser closes (a browser-session cookie)',
  serverConfiguration: (durations: { idle: string; rememberMeIdle: string; absolute: string; touchAfter: string }) =>
    `Idle timeout ${durations.idle} (${durations.rememberMeIdle} with remember me), absolute lifetime ${durations.absolute}, activity recorded at most every ${durations.touchAfter}.`,
  warningsLabel: 'Cookie warnings',
  warning: 'Warning:',
} as const;
