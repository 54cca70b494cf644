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
  deviceBindingTitle: 'Device binding',
  deviceBinding: (isBound: boolean) =>
    isBound
      ? 'Bound to this device: the browser keeps a private key that never leaves the device and signs a challenge every few minutes for a short-lived bound cookie. A copy of the session cookie stops working once the bound cookie it came with expires.'
      : 'Not bound: this browser did not register a device key (Device Bound Session Credentials is supported by Chrome on some platforms). The session cookie alone signs this browser in.',
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
