import type { OidcErrorCode } from '@gatehouse/types/oidc';
import type { ConnectionErrorCode } from './errors';

/**
 * Signing in with, connecting and confirming with an OpenID Connect provider. `name` is the provider's
 * name as the deployment configured it ("Google"). These load with the screens that use them.
 */
export const oidcMessages = {
  or: 'or',
  signInWith: (name: string) => `Sign in with ${name}`,

  sectionTitle: 'Connected accounts',
  lead: 'Sign in with an account you already have, such as your work or Google account, instead of a password.',
  listLabel: 'Your connected accounts',
  none: 'No accounts connected yet.',
  connections: 'your connected accounts',
  connect: (name: string) => `Connect ${name}`,
  connectedOn: 'Connected',
  disconnect: 'Disconnect',
  disconnectLabel: (name: string) => `Disconnect ${name}`,
  confirmDisconnectTitle: (name: string) => `Disconnect ${name}?`,
  confirmDisconnectBody: (name: string, email: string) => `You can no longer sign in with ${name} (${email}). You can connect it again at any time.`,
  disconnected: (name: string) => `${name} disconnected.`,
  onlyWayToSignIn: 'It is the only way you sign in: set a password or add a passkey first.',

  confirmWith: (name: string) => `Confirm with ${name}`,
  confirmWithHint: 'You leave this page to confirm; when you are back, try the action again.',

  connected: (name: string) => `${name} is connected. You can now sign in with it.`,
  reauthenticated: (name: string) => `Confirmed with ${name}. Try the action again.`,
  /** When the providers' names are not known (the list did not load). */
  someProvider: 'the provider',
} as const;

/** The API's error codes only "Connected accounts" meets (see messages/errors.ts). */
export const connectionErrorTexts: Record<ConnectionErrorCode, string> = {
  last_sign_in_method: 'It is the only way you sign in, so it stays connected. Set a password or add a passkey first.',
};

/** Why a provider's callback did not sign in, connect or confirm (`?oidc_error=`), as the page says it. */
export const oidcErrorTexts: Record<OidcErrorCode, (name: string) => string> = {
  denied: (name) => `Nothing happened: ${name} cancelled or refused the request. Try again, or sign in another way.`,
  invalid_state: (name) => `That request to ${name} expired or did not start in this browser. Try again.`,
  exchange_failed: (name) => `The answer from ${name} could not be verified. Try again.`,
  unavailable: (name) => `Gatehouse could not reach ${name}. Try again in a moment, or sign in another way.`,
  unverified_email: (name) => `${name} did not confirm your email address, so no account was created and nothing was connected.`,
  account_exists: (name) =>
    `An account with this address already exists. Sign in with your password, then connect ${name} from your dashboard under Connected accounts.`,
  already_linked: (name) => `That ${name} account is already connected to another Gatehouse account.`,
  not_signed_in: (name) => `You were signed out before ${name} answered. Sign in, then try again.`,
  account_disabled: () => 'This account has been disabled. Contact an administrator.',
  wrong_account: (name) => `That ${name} account is not the one connected to this account. Try again with the ${name} account you connected.`,
  session_limit_reached: () =>
    'This account is signed in on as many devices as it may be. Sign in with your password to choose a session to end, or sign out on another device.',
};

/** A code this build does not know yet. */
export const unknownOidcError = (name: string) => `That did not work with ${name}. Try again.`;
