import { generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse } from '@simplewebauthn/server';
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { PasskeyAuthenticationCredential, PasskeyRegistrationCredential } from '@gatehouse/types/passkeys';
import type { Config } from '../config';
import { passkeyRejected } from '../http/errors';
import { CHALLENGE_TTL_MS } from './challenges';
import type { ChallengePurpose, Challenges } from './challenges';
import type { StoredPasskey } from './passkey-store';

export interface RegisteredCredential {
  id: string;
  /** The user handle given in the options this credential answered. */
  userHandle: string;
  publicKey: Uint8Array;
  counter: number;
  transports: string[];
  isSynced: boolean;
}

export type RelyingParty = ReturnType<typeof createRelyingParty>;

export interface RelyingPartyDeps {
  config: Pick<Config, 'serviceName' | 'webauthn'>;
  challenges: Pick<Challenges, 'issue' | 'consume'>;
  /** Why a response was refused, for the log (never shown to the client). */
  onRejected?: (reason: string) => void;
}

/**
 * The WebAuthn relying party (@simplewebauthn/server) with Gatehouse's rules: RP ID and origins from
 * configuration, user verification required, every challenge stored, single use and bound to what it
 * was issued for (S38).
 */
export function createRelyingParty({ config, challenges, onRejected }: RelyingPartyDeps) {
  const { rpId, origins } = config.webauthn;

  async function refusing<T>(verify: () => Promise<T>): Promise<T> {
    try {
      return await verify();
    } catch (error) {
      onRejected?.(error instanceof Error ? error.message : String(error));
      throw passkeyRejected();
    }
  }

  return {
    /** Discoverable credentials (the passkey names its account at sign-in), with user verification. */
    async registrationOptions(account: {
      userId: string;
      userHandle: string;
      email: string;
      name: string;
      existing: StoredPasskey[];
    }): Promise<PublicKeyCredentialCreationOptionsJSON> {
      const options = await generateRegistrationOptions({
        rpName: config.serviceName,
        rpID: rpId,
        userID: new Uint8Array(Buffer.from(account.userHandle, 'base64url')),
        userName: account.email,
        userDisplayName: account.name,
        attestationType: 'none',
        excludeCredentials: account.existing.map((passkey) => ({ id: passkey.id, transports: passkey.transports })),
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
        timeout: CHALLENGE_TTL_MS,
      });
      await challenges.issue(options.challenge, 'registration', account.userId, account.userHandle);
      return options;
    },

    async verifyRegistration(userId: string, credential: PasskeyRegistrationCredential): Promise<RegisteredCredential> {
      let userHandle: string | null = null;
      const result = await refusing(() =>
        verifyRegistrationResponse({
          response: credential,
          expectedChallenge: async (challenge) => {
            userHandle = (await challenges.consume(challenge, 'registration', userId))?.userHandle ?? null;
            return userHandle !== null;
          },
          expectedOrigin: origins,
          expectedRPID: rpId,
          requireUserVerification: true,
        }),
      );
      if (!result.verified || userHandle === null) throw passkeyRejected();
      const { credential: made, credentialDeviceType, credentialBackedUp } = result.registrationInfo;
      return {
        id: made.id,
        userHandle,
        publicKey: made.publicKey,
        counter: made.counter,
        transports: made.transports ?? credential.response.transports ?? [],
        isSynced: credentialDeviceType === 'multiDevice' && credentialBackedUp,
      };
    },

    /** `allow` empty: any discoverable passkey for this RP (passwordless sign-in, browser autofill). */
    async authenticationOptions(purpose: ChallengePurpose, userId: string | null, allow: StoredPasskey[]): Promise<PublicKeyCredentialRequestOptionsJSON> {
      const options = await generateAuthenticationOptions({
        rpID: rpId,
        allowCredentials: allow.map((passkey) => ({ id: passkey.id, transports: passkey.transports })),
        userVerification: 'required',
        timeout: CHALLENGE_TTL_MS,
      });
      await challenges.issue(options.challenge, purpose, userId);
      return options;
    },

    /**
     * Verifies an assertion by this stored passkey, for a challenge issued for `purpose` (and `userId`).
     * Returns the authenticator's new counter; a counter that did not move past the stored one is refused
     * by the library (a cloned authenticator), as is a missing user-verification flag.
     */
    async verifyAuthentication(
      purpose: ChallengePurpose,
      userId: string | null,
      credential: PasskeyAuthenticationCredential,
      passkey: StoredPasskey,
    ): Promise<number> {
      const result = await refusing(() =>
        verifyAuthenticationResponse({
          response: credential,
          expectedChallenge: async (challenge) => (await challenges.consume(challenge, purpose, userId)) !== null,
          expectedOrigin: origins,
          expectedRPID: rpId,
          credential: { id: passkey.id, publicKey: passkey.publicKey, counter: passkey.counter, transports: passkey.transports },
          requireUserVerification: true,
        }),
      );
      if (!result.verified) throw passkeyRejected();
      return result.authenticationInfo.newCounter;
    },
  };
}
