import { plural } from './intl';

/** Forgot password, the reset link, the admin's reset link. */
export const recoveryMessages = {
  forgotIntro: 'Enter the address of your account. We will mail you a link to set a new password.',
  forgotNothingThere: 'Nothing there? Look in your spam folder, or check the address and send another link.',
  checkingLink: 'Checking your link…',
  resetFor: 'For',
  resetSignsOut: 'Setting it signs your account out everywhere.',
  passwordReset: (endedSessions: number) =>
    plural(endedSessions, {
      one: 'Your new password is set, and every session of your account was signed out (#).',
      other: 'Your new password is set, and every session of your account was signed out (#).',
    }),
  deadLinkTitle: 'This link no longer works',
  deadLink: 'The link was already used, has expired, or a newer link replaced it.',
  askAgain: 'Ask for a new link',
} as const;

/** Verification links and the account's address page. */
export const verificationMessages = {
  confirming: 'Confirming your address…',
  addressChangedTitle: 'Address changed',
  addressChanged: 'Your account’s address is now',
  oldAddressTold: 'We told the old address.',
  backToAccount: 'Back to your account',
  newLinkFromAccount: 'Send a new link from your account page',
  signInForNewLink: 'Sign in to send a new link',
  verified: 'Verified',
  notVerified: 'Not verified',
  resendHint: 'No mail? A new link replaces the one we sent before.',
  changeHint: 'We mail a link to the new address; the change applies once you follow it, and we tell the old address.',
  sendAnother: 'Change it again',
  confirmTitle: 'Confirm your address',
  signedInAs: 'This browser is signed in as',
  signedInAsOther: 'This browser is signed in to another account.',
  signOutFirst: 'Sign out first to confirm this link.',
  signOutAndContinue: 'Sign out and continue',
  cancelTitle: 'Address change',
  cancellingChange: 'Calling off the address change…',
} as const;

/** Development only: the dev outbox page. */
export const outboxMessages = {
  lead: 'Development only: every message the server sent, newest first. Links work as they would from a mailbox.',
  none: 'No mail yet.',
  missing: 'There is no outbox here: it exists only outside production, and only for this machine.',
  outbox: 'the outbox',
  to: (address: string) => `to ${address},`,
  openHtml: 'Open the HTML version',
} as const;
