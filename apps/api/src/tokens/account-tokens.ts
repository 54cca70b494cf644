import { createHash, randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';

/** The one module that names the collection of one-time links. */
export const ACCOUNT_TOKENS_COLLECTION = 'account_tokens';

/** 32 random bytes: 256 bits, twice the 128 the checklist asks for (S33). */
export const TOKEN_BYTES = 32;

/** `email_change_cancel`: mailed to the current address when a change is asked for, to call it off (S35). */
export type TokenPurpose = 'password_reset' | 'email_verification' | 'email_change' | 'email_change_cancel';

interface AccountTokenDocument {
  /** `<userId>:<purpose>`: one live link per account and purpose, so issuing a new one replaces the old. */
  _id: string;
  /** SHA-256 of the token. The token itself exists only in the mail (S33). */
  tokenHash: string;
  userId: string;
  purpose: TokenPurpose;
  /** The address the link was sent to: it proves control of this address, not of whatever the account has now. */
  email: string;
  /** For a change of address: the address that becomes the account's once the link is followed. */
  newEmail: string | null;
  createdAt: Date;
  /** The TTL index removes the document after this; reads check it too, as the TTL monitor runs only every minute. */
  expiresAt: Date;
}

export interface AccountToken {
  userId: string;
  purpose: TokenPurpose;
  email: string;
  newEmail: string | null;
  expiresAt: Date;
}

export type AccountTokens = ReturnType<typeof createAccountTokens>;

/**
 * A fast hash is enough: a token has 256 bits of entropy, so nothing can be guessed from the hash,
 * and looking it up must be one indexed read.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

const slotOf = (userId: string, purpose: TokenPurpose) => `${userId}:${purpose}`;

function toAccountToken(doc: AccountTokenDocument): AccountToken {
  return { userId: doc.userId, purpose: doc.purpose, email: doc.email, newEmail: doc.newEmail, expiresAt: doc.expiresAt };
}

/**
 * One-time links (S33): 256 random bits, stored only as a hash, one live link per account and purpose
 * (a newer link replaces the older in one write), used once (found and deleted in one operation),
 * expiring (checked on read, removed by a TTL index), and all of an account's links revoked by any
 * change of its password or address.
 */
export function createAccountTokens(connection: Connection) {
  const tokens = () => connection.collection<AccountTokenDocument>(ACCOUNT_TOKENS_COLLECTION);
  const live = (token: string, purposes: readonly TokenPurpose[]) => ({
    tokenHash: hashToken(token),
    purpose: { $in: [...purposes] },
    expiresAt: { $gt: new Date() },
  });

  return {
    /** A new link for this account and purpose; the previous one (if any) stops working at once. */
    async issue(
      userId: string,
      purpose: TokenPurpose,
      { email, newEmail = null, ttlSeconds }: { email: string; newEmail?: string | null; ttlSeconds: number },
    ): Promise<string> {
      const token = randomBytes(TOKEN_BYTES).toString('base64url');
      const now = new Date();
      await tokens().replaceOne(
        { _id: slotOf(userId, purpose) },
        { tokenHash: hashToken(token), userId, purpose, email, newEmail, createdAt: now, expiresAt: new Date(now.getTime() + ttlSeconds * 1000) },
        { upsert: true },
      );
      return token;
    },

    /** The link's facts if it still works; it stays usable (the reset page checks before asking for a password). */
    async find(token: string, purposes: readonly TokenPurpose[]): Promise<AccountToken | null> {
      const doc = await tokens().findOne(live(token, purposes));
      return doc ? toAccountToken(doc) : null;
    },

    /** Uses the link up: of two requests with the same token, exactly one gets it. */
    async consume(token: string, purposes: readonly TokenPurpose[]): Promise<AccountToken | null> {
      const doc = await tokens().findOneAndDelete(live(token, purposes));
      return doc ? toAccountToken(doc) : null;
    },

    /** The account's live link for this purpose (if any) stops working. */
    async revoke(userId: string, purpose: TokenPurpose): Promise<void> {
      await tokens().deleteOne({ _id: slotOf(userId, purpose) });
    },

    /** Every outstanding link of the account stops working (password or address changed). */
    async revokeAll(userId: string): Promise<void> {
      await tokens().deleteMany({ userId });
    },

    async ensureIndexes(): Promise<void> {
      await tokens().createIndex({ tokenHash: 1 }, { unique: true });
      await tokens().createIndex({ userId: 1 });
      await tokens().createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
    },
  };
}
