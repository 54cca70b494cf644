import type { SessionEndReason } from '../features/auth/session-status';
import { plural } from './intl';

export const authMessages = {
  newPasswordHint: (minLength: number) => `At least ${minLength} characters. A few unrelated words make a strong password.`,
  changePasswordHint: 'Changing it signs out every other session.',
  passwordChanged: (endedSessions: number) =>
    plural(endedSessions, {
      one: 'Password changed. # other session was signed out.',
      other: 'Password changed. # other sessions were signed out.',
    }),
  reauthDescription: 'This action needs your password again.',
  reauthCodeDescription: 'This action needs your password and a code again: the 6-digit code from your authenticator app, or one of your recovery codes.',
  notAllowed: 'This page is for administrators only. You are not allowed to see it.',
  checkFailed: 'Gatehouse could not check whether you are signed in.',
} as const;

/** Why this tab's session ended, as the signed-out screen says it. */
export const sessionEndMessages: Record<SessionEndReason, string> = {
  expired: 'Your session expired.',
  revoked: 'This session was signed out from another device.',
  password_changed: 'The account’s password was changed, so this session was signed out.',
  account_disabled: 'An administrator disabled your account, so this session was signed out.',
  signed_out: 'You signed out in another tab of this browser.',
  // A sign-in elsewhere took its place at the session limit: the same words as any ending from elsewhere.
  evicted: 'This session was signed out from another device.',
};
