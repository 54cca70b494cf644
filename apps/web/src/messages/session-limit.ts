import { plural } from './intl';

/** The sign-in page's words when the account is at its session cap (loaded with that view only). */
export const sessionLimitMessages = {
  title: 'Too many sessions',
  intro: (max: number) =>
    plural(max, {
      one: 'This account may be signed in on # device at a time. End that session to sign in here:',
      other: 'This account may be signed in on # devices at a time. End one of these sessions to sign in here:',
    }),
  lastActive: 'Last active',
  signedInSince: 'signed in',
  from: 'from',
  endAndSignIn: 'End this session and sign in',
  endAndSignInLabel: (device: string) => `End the session on ${device} and sign in`,
  cancel: 'Cancel',
  expired: 'This sign-in expired. Sign in again.',
} as const;
