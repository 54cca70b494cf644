import { randomBytes } from 'node:crypto';
import { createSigner } from './signing';

/** How long a challenge may be answered (the registration JWS or a refresh's). */
export const CHALLENGE_MAX_AGE_MS = 5 * 60 * 1000;

export type ChallengePurpose = 'registration' | 'refresh';

/**
 * Challenges are signed rather than stored: `issuedAt.nonce.tag`, the tag binding them to their purpose
 * and subject (a registration to the session's handle, a refresh to the binding's id). Issuing one costs
 * no write; spending it does (the registry keeps the issue time of the last challenge answered, and only
 * a later one counts), which is what makes each challenge single-use.
 */
export function createChallenges(secrets: readonly string[]) {
  const signer = createSigner(secrets, 'device-binding challenge');
  return {
    issue(purpose: ChallengePurpose, subject: string, now = Date.now()): string {
      const issuedAt = String(now);
      const nonce = randomBytes(12).toString('base64url');
      return `${issuedAt}.${nonce}.${signer.tag([purpose, subject, issuedAt, nonce])}`;
    },

    /** The issue time of a genuine, fresh challenge for this purpose and subject; null for any other. */
    read(challenge: string, purpose: ChallengePurpose, subject: string, now = Date.now()): { issuedAt: number } | null {
      const [issuedAt, nonce, tag, ...rest] = challenge.split('.');
      if (issuedAt === undefined || nonce === undefined || tag === undefined || rest.length > 0) return null;
      if (!signer.verify([purpose, subject, issuedAt, nonce], tag)) return null;
      const at = Number(issuedAt);
      return now - at <= CHALLENGE_MAX_AGE_MS && at <= now ? { issuedAt: at } : null;
    },
  };
}

export type Challenges = ReturnType<typeof createChallenges>;
