import type { Connection } from 'mongoose';
import { isDuplicateKeyError } from '../db/errors';
import type { SecretBox } from './secret-box';
import { looksLikeRecoveryCode, newRecoveryCodes, recoveryCodeHash } from './recovery-codes';
import { matchingTimeStep, newTotpSecret } from './totp';
import type { Clock, NewTotpSecret } from './totp';

export const TOTP_COLLECTION = 'totp_factors';
export const RECOVERY_CODES_COLLECTION = 'recovery_codes';
/** How long a started enrolment waits for its first code. */
export const ENROLMENT_TTL_MS = 15 * 60 * 1000;

/** One authenticator app per account; `enabledAt: null` while the enrolment waits for its first code. */
interface TotpDocument {
  /** The account's id. */
  _id: string;
  /** The base32 secret sealed by the secret box (AES-256-GCM): never stored in plain (S36). */
  secret: string;
  createdAt: Date;
  enabledAt: Date | null;
  /** The last time step a code was accepted for: a code of that step or an earlier one is a replay. */
  lastUsedStep: number;
}

/** One unused recovery code: its hash is the id, so using it is one atomic delete (S36). */
interface RecoveryCodeDocument {
  _id: string;
  userId: string;
  createdAt: Date;
}

/**
 * A code that is right, not yet used up: `spendCode` uses it (once). Checking and spending apart lets
 * the second step spend a recovery code only in the request that wins the pending sign-in (S44).
 */
export type CodeMatch = { kind: 'totp'; userId: string; step: number } | { kind: 'recovery_code'; userId: string; codeHash: string };

export interface TotpStatus {
  isEnabled: boolean;
  enabledAt: Date | null;
  recoveryCodesLeft: number;
}

export type SecondFactors = ReturnType<typeof createSecondFactors>;

export class TotpStateError extends Error {
  override name = 'TotpStateError';
  constructor(readonly state: 'already_enabled' | 'not_enabled' | 'no_enrolment') {
    super(state);
  }
}

/**
 * Owns the authenticator-app secrets and recovery codes (the one module naming their collections).
 * Secrets are sealed with the account id as context; codes are checked against the clock given.
 */
export function createSecondFactors({ connection, box, clock, issuer }: { connection: Connection; box: SecretBox; clock: Clock; issuer: string }) {
  const totps = () => connection.collection<TotpDocument>(TOTP_COLLECTION);
  const recoveryCodes = () => connection.collection<RecoveryCodeDocument>(RECOVERY_CODES_COLLECTION);
  const context = (userId: string) => `totp:${userId}`;

  async function replaceRecoveryCodes(userId: string): Promise<string[]> {
    const { shown, normalised } = newRecoveryCodes();
    const createdAt = new Date(clock());
    await recoveryCodes().deleteMany({ userId });
    await recoveryCodes().insertMany(normalised.map((code) => ({ _id: recoveryCodeHash(userId, code), userId, createdAt })));
    return shown;
  }

  /** An app code of a later step than the last one used (a code of that step or an earlier one is a replay). */
  async function matchTotp(userId: string, code: string): Promise<CodeMatch | null> {
    const doc = await totps().findOne({ _id: userId, enabledAt: { $ne: null } });
    if (!doc) return null;
    const step = matchingTimeStep(box.open(doc.secret, context(userId)), code, clock());
    return step === null || step <= doc.lastUsedStep ? null : { kind: 'totp', userId, step };
  }

  async function matchRecoveryCode(userId: string, code: string): Promise<CodeMatch | null> {
    if (!looksLikeRecoveryCode(code)) return null;
    const codeHash = recoveryCodeHash(userId, code);
    return (await recoveryCodes().countDocuments({ _id: codeHash, userId }, { limit: 1 })) > 0 ? { kind: 'recovery_code', userId, codeHash } : null;
  }

  /** Uses a matched code up, atomically: false if another request spent it (or a later app code) first. */
  async function spendCode(match: CodeMatch): Promise<boolean> {
    if (match.kind === 'totp') {
      const { modifiedCount } = await totps().updateOne(
        { _id: match.userId, enabledAt: { $ne: null }, lastUsedStep: { $lt: match.step } },
        { $set: { lastUsedStep: match.step } },
      );
      return modifiedCount === 1;
    }
    const { deletedCount } = await recoveryCodes().deleteOne({ _id: match.codeHash, userId: match.userId });
    return deletedCount === 1;
  }

  return {
    async isEnabled(userId: string): Promise<boolean> {
      return (await totps().countDocuments({ _id: userId, enabledAt: { $ne: null } }, { limit: 1 })) > 0;
    },

    async status(userId: string): Promise<TotpStatus> {
      const [doc, recoveryCodesLeft] = await Promise.all([
        totps().findOne({ _id: userId }, { projection: { enabledAt: 1 } }),
        recoveryCodes().countDocuments({ userId }),
      ]);
      const enabledAt = doc?.enabledAt ?? null;
      return { isEnabled: enabledAt !== null, enabledAt, recoveryCodesLeft: enabledAt === null ? 0 : recoveryCodesLeft };
    },

    /** The authenticator-app secret (enrolled or half-enrolled) and every recovery code of the account (it is being deleted). */
    async removeAll(userId: string): Promise<number> {
      const [totp, codes] = await Promise.all([totps().deleteMany({ _id: userId }), recoveryCodes().deleteMany({ userId })]);
      return totp.deletedCount + codes.deletedCount;
    },

    /** Which of these accounts have an authenticator app (the admin's list). */
    async enabledAmong(userIds: string[]): Promise<Set<string>> {
      const docs = await totps()
        .find({ _id: { $in: userIds }, enabledAt: { $ne: null } }, { projection: { _id: 1 } })
        .toArray();
      return new Set(docs.map((doc) => doc._id));
    },

    /** A new secret, replacing any enrolment not yet confirmed; refused while one is enabled. */
    async beginEnrolment(userId: string, label: string): Promise<NewTotpSecret> {
      const fresh = newTotpSecret({ issuer, label });
      const doc = { secret: box.seal(fresh.secret, context(userId)), createdAt: new Date(clock()), enabledAt: null, lastUsedStep: -1 };
      try {
        await totps().updateOne({ _id: userId, enabledAt: null }, { $set: doc }, { upsert: true });
      } catch (error) {
        // The filter missed because an enabled one exists, and the upsert collided with it.
        if (isDuplicateKeyError(error)) throw new TotpStateError('already_enabled');
        throw error;
      }
      return fresh;
    },

    /**
     * The first valid code turns the enrolment on (its step counts as used) and gives the recovery codes,
     * shown this once. Null when the code is wrong.
     */
    async confirmEnrolment(userId: string, code: string): Promise<string[] | null> {
      const doc = await totps().findOne({ _id: userId });
      if (!doc) throw new TotpStateError('no_enrolment');
      if (doc.enabledAt !== null) throw new TotpStateError('already_enabled');
      if (clock() - doc.createdAt.getTime() > ENROLMENT_TTL_MS) throw new TotpStateError('no_enrolment');
      const step = matchingTimeStep(box.open(doc.secret, context(userId)), code, clock());
      if (step === null) return null;
      const { modifiedCount } = await totps().updateOne(
        { _id: userId, enabledAt: null, secret: doc.secret },
        { $set: { enabledAt: new Date(clock()), lastUsedStep: step } },
      );
      if (modifiedCount !== 1) throw new TotpStateError('no_enrolment');
      return replaceRecoveryCodes(userId);
    },

    /** Turns the authenticator app off and drops its recovery codes; false if it was not on. */
    async disable(userId: string): Promise<boolean> {
      const { deletedCount } = await totps().deleteOne({ _id: userId, enabledAt: { $ne: null } });
      await recoveryCodes().deleteMany({ userId });
      return deletedCount === 1;
    },

    async regenerateRecoveryCodes(userId: string): Promise<string[]> {
      if ((await totps().countDocuments({ _id: userId, enabledAt: { $ne: null } }, { limit: 1 })) === 0) throw new TotpStateError('not_enabled');
      return replaceRecoveryCodes(userId);
    },

    /** Whether this is a right, unused authenticator-app or recovery code (normalised: no spaces or dashes, lower case); spends nothing. */
    async matchCode(userId: string, code: string): Promise<CodeMatch | null> {
      return (await matchTotp(userId, code)) ?? (await matchRecoveryCode(userId, code));
    },

    spendCode,

    async ensureIndexes(): Promise<void> {
      await recoveryCodes().createIndex({ userId: 1 });
    },
  };
}
