/**
 * The browser side of every passkey ceremony (@simplewebauthn/browser). Loaded only when a passkey is
 * used or offered, so the sign-in page and the dashboard do not carry it in their first bytes.
 */
import {
  WebAuthnAbortService,
  browserSupportsWebAuthn,
  browserSupportsWebAuthnAutofill,
  startAuthentication,
  startRegistration,
} from '@simplewebauthn/browser';
import type { PasskeyAuthenticationCredential, PasskeyRegistrationCredential, PasskeyRequestOptions } from '@gatehouse/types/passkeys';
import { secondFactorApi } from '../second-factor/second-factor-queries';
import { passkeyApi } from './passkey-queries';

export { browserSupportsWebAuthn };

async function assertion(optionsJSON: PasskeyRequestOptions, useBrowserAutofill = false): Promise<PasskeyAuthenticationCredential> {
  const credential = await startAuthentication({ optionsJSON, useBrowserAutofill });
  return { ...credential, clientExtensionResults: {} };
}

/** Passwordless sign-in: the browser offers the passkeys it has for this site (in a dialog, or in the email field's autofill). */
export async function signInWithPasskey({ rememberMe, useBrowserAutofill = false }: { rememberMe: boolean; useBrowserAutofill?: boolean }) {
  const { options } = await passkeyApi.signInOptions();
  return passkeyApi.signIn({ credential: await assertion(options, useBrowserAutofill), rememberMe });
}

/** Whether this browser offers passkeys in the autofill of a `username webauthn` field. */
export function supportsAutofill(): Promise<boolean> {
  return browserSupportsWebAuthnAutofill();
}

/** Ends a waiting autofill request (before a modal one starts, or when the page goes). */
export function cancelPasskeyRequest(): void {
  WebAuthnAbortService.cancelCeremony();
}

export async function completeSignInWithPasskey() {
  const { options } = await secondFactorApi.passkeyOptions();
  return secondFactorApi.completeSignIn({ credential: await assertion(options) });
}

export async function reauthWithPasskey() {
  const { options } = await passkeyApi.reauthOptions();
  return passkeyApi.reauth({ credential: await assertion(options) });
}

export async function createPasskey({ name, signOutOtherSessions }: { name: string; signOutOtherSessions: boolean }) {
  const { options } = await passkeyApi.registrationOptions();
  const made = await startRegistration({ optionsJSON: options });
  const credential: PasskeyRegistrationCredential = {
    ...made,
    response: { ...made.response, transports: made.response.transports ?? [] },
    clientExtensionResults: { ...(made.clientExtensionResults.credProps ? { credProps: made.clientExtensionResults.credProps } : {}) },
  };
  return passkeyApi.add({ name, credential, signOutOtherSessions });
}
