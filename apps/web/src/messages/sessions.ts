import type { Assurance, AuthMethod, SessionView } from '@gatehouse/types/sessions';
import { formatList, plural } from './intl';

export const sessionMessages = {
  unknownBrowser: 'Unknown browser',
  browserOn: (browser: string, os: string) => `${browser} on ${os}`,
  thisDevice: 'This device',
  /** Device-bound session credentials: the session only works in the browser holding its key. */
  deviceBound: 'Bound to this device',
  remembered: 'remembered',
  authMethods: {
    password: 'Password',
    totp: 'Authenticator code',
    recovery_code: 'Recovery code',
    passkey: 'Passkey',
    email_link: 'Email link',
    oidc: 'Single sign-on',
  } satisfies Record<AuthMethod, string>,
  /** How strongly the session's holder was proven, next to how they signed in. */
  assurance: {
    aal1: 'One step only',
    aal2: 'Two-step verified',
  } satisfies Record<Assurance, string>,

  theseSessions: 'your sessions',
  thisSession: 'this session',
  sessionData: 'the session data',
  endsSoon: 'This session ends soon if you stay inactive.',

  revokeLabel: (device: string) => `Revoke ${device} session`,
  confirmRevokeTitle: (device: string) => `Revoke the session on ${device}?`,
  confirmRevokeBody: 'That device is signed out at once. Whoever uses it has to sign in again.',
  confirmRevoke: 'Revoke session',

  confirmRevokeOthersTitle: 'Sign out everywhere else?',
  confirmRevokeOthersBody: (count: number) =>
    plural(count, {
      one: 'Your # other session is signed out at once. This device stays signed in.',
      other: 'Your # other sessions are signed out at once. This device stays signed in.',
    }),
  confirmRevokeOthers: 'Sign out everywhere else',
  noOtherSessions: 'There were no other sessions to sign out.',
  signedOutOthers: (count: number) => plural(count, { one: 'Signed out # other session.', other: 'Signed out # other sessions.' }),

  renameLabel: (device: string) => `Rename ${device}`,
  deviceNameHint: 'Every session of this browser shows this name. Leave it empty to show the browser’s own name.',

  storedDataIntro:
    'The server keeps this session’s data. Your browser holds only a signed, random identifier, in a cookie that scripts on the page cannot read.',
} as const;

/** How a session signed in, in words; a provider sign-in by the provider's name ("Google and Authenticator code"). */
export const describeAuthMethods = ({ authMethods, signInProvider }: Pick<SessionView, 'authMethods' | 'signInProvider'>) =>
  formatList(authMethods.map((method) => (method === 'oidc' && signInProvider) || sessionMessages.authMethods[method]));
