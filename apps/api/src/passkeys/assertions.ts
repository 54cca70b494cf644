import type { PasskeyAuthenticationCredential } from '@gatehouse/types/passkeys';
import { passkeyRejected } from '../http/errors';
import type { ChallengePurpose } from './challenges';
import type { PasskeyStore, StoredPasskey } from './passkey-store';
import type { RelyingParty } from './relying-party';

export type PasskeyAssertions = ReturnType<typeof createPasskeyAssertions>;

/**
 * Proving an account with one of its passkeys, in two steps so callers can read the account between
 * them (read account → prove → start or rotate the session: S31).
 */
export function createPasskeyAssertions({
  store,
  relyingParty,
}: {
  store: Pick<PasskeyStore, 'find' | 'recordUse'>;
  relyingParty: Pick<RelyingParty, 'verifyAuthentication'>;
}) {
  return {
    /** The stored passkey the assertion names (of `userId` when given), or 401. */
    async passkeyOf(credential: PasskeyAuthenticationCredential, userId: string | null): Promise<StoredPasskey> {
      const passkey = credential.id === credential.rawId ? await store.find(credential.id) : null;
      if (!passkey || (userId !== null && passkey.userId !== userId)) throw passkeyRejected();
      // A discoverable credential names its account by user handle: it must be the one registered.
      if (credential.response.userHandle !== undefined && credential.response.userHandle !== passkey.userHandle) throw passkeyRejected();
      return passkey;
    },

    /** Verifies the assertion for a challenge issued for `purpose` and moves the stored counter on, or 401 (S38). */
    async prove(purpose: ChallengePurpose, challengeUserId: string | null, credential: PasskeyAuthenticationCredential, passkey: StoredPasskey): Promise<void> {
      const newCounter = await relyingParty.verifyAuthentication(purpose, challengeUserId, credential, passkey);
      if (!(await store.recordUse(passkey.id, passkey.counter, newCounter))) throw passkeyRejected();
    },
  };
}
