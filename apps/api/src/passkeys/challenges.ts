import type { Connection } from 'mongoose';

export const CHALLENGES_COLLECTION = 'webauthn_challenges';
/** Long enough to find and touch the authenticator, short enough that a leaked one is soon useless. */
export const CHALLENGE_TTL_MS = 5 * 60 * 1000;

/** What a challenge was issued for; it is accepted only for that. */
export type ChallengePurpose = 'registration' | 'sign_in' | 'second_factor' | 'reauth';

interface ChallengeDocument {
  /** The challenge itself (base64url, 32 random bytes from @simplewebauthn/server). */
  _id: string;
  purpose: ChallengePurpose;
  /** The account it was issued to; null for a passwordless sign-in, where the passkey names the account. */
  userId: string | null;
  /** Registration: the user handle the new passkey was given (it comes back at every discoverable sign-in). */
  userHandle?: string;
  expiresAt: Date;
}

export type Challenges = ReturnType<typeof createChallenges>;

/** Owns issued WebAuthn challenges: each is single use and short-lived (S38). */
export function createChallenges(connection: Connection) {
  const challenges = () => connection.collection<ChallengeDocument>(CHALLENGES_COLLECTION);

  return {
    async issue(challenge: string, purpose: ChallengePurpose, userId: string | null, userHandle?: string): Promise<void> {
      await challenges().insertOne({
        _id: challenge,
        purpose,
        userId,
        ...(userHandle ? { userHandle } : {}),
        expiresAt: new Date(Date.now() + CHALLENGE_TTL_MS),
      });
    },

    /**
     * Takes the challenge if it was issued for this purpose and account and has not expired: once only.
     * Returns what was issued with it, or null.
     */
    async consume(challenge: string, purpose: ChallengePurpose, userId: string | null): Promise<{ userHandle: string | null } | null> {
      const doc = await challenges().findOneAndDelete({ _id: challenge, purpose, userId, expiresAt: { $gt: new Date() } });
      return doc ? { userHandle: doc.userHandle ?? null } : null;
    },

    /** Challenges issued to an account go with the account. */
    async removeForUser(userId: string): Promise<number> {
      return (await challenges().deleteMany({ userId })).deletedCount;
    },

    async ensureIndexes(): Promise<void> {
      // The TTL monitor removes expired ones eventually; `consume` refuses them at once.
      await challenges().createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
    },
  };
}
