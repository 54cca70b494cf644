import type { Role } from '@gatehouse/types/users';
import type { ActivityLog } from '../activity/activity-log';
import { isDuplicateKeyError } from '../db/errors';
import type { AccountSource, AccountState, SessionRegistry } from '../sessions/registry';
import type { AccountTokens } from '../tokens/account-tokens';
import { toUserView } from './user-model';
import type { UserDocument, UserModel } from './user-model';

/** The registry's view of an account, from a document read with at least these fields. */
export function accountStateOf(
  user: Pick<UserDocument, '_id' | 'name' | 'email' | 'role' | 'createdAt' | 'emailVerifiedAt' | 'disabledAt' | 'accountVersion'>,
): AccountState {
  return { user: toUserView(user), version: user.accountVersion ?? 0, isDisabled: user.disabledAt !== null && user.disabledAt !== undefined };
}

/** An account with the hash its password is checked against: only the sign-in authority asks for it. */
export interface AccountCredentials {
  account: AccountState;
  /** Null: the account has no password (made through a provider); every password check fails. */
  passwordHash: string | null;
}

const ACCOUNT_FIELDS = { name: 1, email: 1, role: 1, createdAt: 1, emailVerifiedAt: 1, disabledAt: 1, accountVersion: 1 } as const;

/** The account reads sign-in needs: by id or address, with the password hash where a password is checked. */
export interface AccountDirectory extends AccountSource {
  credentialsByEmail(email: string): Promise<AccountCredentials | null>;
  credentialsById(userId: string): Promise<AccountCredentials | null>;
}

/** What the session registry and sign-in read and move on: users/ implements it, sessions/ never imports users/. */
export function createAccountSource(users: UserModel): AccountDirectory {
  const credentialsOf = (user: (Parameters<typeof accountStateOf>[0] & Pick<UserDocument, 'passwordHash'>) | null): AccountCredentials | null =>
    user ? { account: accountStateOf(user), passwordHash: user.passwordHash } : null;
  return {
    async credentialsByEmail(email) {
      return credentialsOf(await users.findOne({ email }, { ...ACCOUNT_FIELDS, passwordHash: 1 }).exec());
    },
    async credentialsById(userId) {
      return credentialsOf(await users.findById(userId, { ...ACCOUNT_FIELDS, passwordHash: 1 }).exec());
    },
    async load(userId) {
      const user = await users.findById(userId, ACCOUNT_FIELDS).exec();
      return user ? accountStateOf(user) : null;
    },
    async bumpVersion(userId) {
      const user = await users
        .findOneAndUpdate({ _id: userId }, { $inc: { accountVersion: 1 } }, { returnDocument: 'after', projection: { accountVersion: 1 } })
        .exec();
      return user?.accountVersion ?? 0;
    },
  };
}

export type SetRoleResult = { status: 'changed' | 'unchanged'; userId: string; sessionsUpdated: number } | { status: 'not_found' };

/** `stale`: the account no longer has the address the link was sent to; `address_taken`: another account has the new one. */
export type ChangeEmailResult = { status: 'changed'; account: AccountState } | { status: 'stale' | 'address_taken' };

export interface AccountChangesDeps {
  users: UserModel;
  sessions: Pick<SessionRegistry, 'endAccountSessions' | 'refreshAccount'>;
  activity: Pick<ActivityLog, 'record'>;
  tokens: Pick<AccountTokens, 'revokeAll'>;
}

export type AccountChanges = ReturnType<typeof createAccountChanges>;

/**
 * Changes that take rights away. Each writes the account first (moving its version on), then deals with
 * its sessions through the registry, so no sign-in racing it keeps the old rights (S31).
 */
export function createAccountChanges({ users, sessions, activity, tokens }: AccountChangesDeps) {
  async function load(userId: string): Promise<AccountState> {
    const user = await users.findById(userId).exec();
    if (!user) throw new Error(`account ${userId} vanished while it changed`);
    return accountStateOf(user);
  }

  return {
    /** Sign-in checks `disabledAt` after the proof and again after the insert: no session survives this. */
    async disable(userId: string): Promise<void> {
      const before = await users.findOneAndUpdate({ _id: userId }, { $set: { disabledAt: new Date() }, $inc: { accountVersion: 1 } }).exec();
      await sessions.endAccountSessions(userId, { reason: 'account_disabled', actor: 'admin' });
      if (before && !before.disabledAt) await activity.record({ userId, type: 'account_disabled', actor: 'admin' });
    },

    async enable(userId: string): Promise<void> {
      const before = await users.findOneAndUpdate({ _id: userId }, { $set: { disabledAt: null } }).exec();
      if (before?.disabledAt) await activity.record({ userId, type: 'account_enabled', actor: 'admin' });
    },

    /**
     * The new role reaches every session on its next request, which also gets a new id (S4); a request
     * holding the old copy cannot write it back, and a sign-in racing this discards itself.
     */
    async setRole(userId: string, role: Role, actor: 'admin' | 'system'): Promise<SetRoleResult> {
      const before = await users.findById(userId, { role: 1 }).exec();
      if (!before) return { status: 'not_found' };
      const isChange = before.role !== role;
      const user = await users
        .findOneAndUpdate({ _id: userId }, { $set: { role }, ...(isChange ? { $inc: { accountVersion: 1 } } : {}) }, { returnDocument: 'after' })
        .exec();
      if (!user) return { status: 'not_found' };
      const sessionsUpdated = await sessions.refreshAccount(accountStateOf(user), { rotate: isChange });
      if (isChange) await activity.record({ userId, type: 'role_changed', actor });
      return { status: isChange ? 'changed' : 'unchanged', userId, sessionsUpdated };
    },

    /**
     * Stores the new hash and ends every other session. Returns how many ended and the account as it is
     * now, for the caller to rotate its own session with.
     */
    async changePassword(userId: string, passwordHash: string, keepSid: string): Promise<{ endedSessions: number; account: AccountState }> {
      await users.updateOne({ _id: userId }, { $set: { passwordHash }, $inc: { accountVersion: 1 } }).exec();
      const endedSessions = await sessions.endAccountSessions(userId, { reason: 'password_changed', actor: 'self' }, { exceptSid: keepSid });
      // A reset or sign-in link mailed before the change must not outlive it (S33).
      await tokens.revokeAll(userId);
      await activity.record({ userId, type: 'password_changed' });
      return { endedSessions, account: await load(userId) };
    },

    /**
     * A new password through a reset link: like a change, but no session is kept, not even the one the
     * link was opened in (S35). The version moves on with the write, before any session is looked at,
     * so a sign-in or re-authentication with the old password racing this discards itself (S31).
     * `proofOfAddress`: the link went to the account's current address, which is then verified too.
     */
    async resetPassword(
      userId: string,
      passwordHash: string,
      { proofOfAddress }: { proofOfAddress: string },
    ): Promise<{ endedSessions: number; account: AccountState }> {
      await users.updateOne({ _id: userId }, { $set: { passwordHash }, $inc: { accountVersion: 1 } }).exec();
      await users.updateOne({ _id: userId, email: proofOfAddress, emailVerifiedAt: null }, { $set: { emailVerifiedAt: new Date() } }).exec();
      const endedSessions = await sessions.endAccountSessions(userId, { reason: 'password_changed', actor: 'self' });
      await tokens.revokeAll(userId);
      await activity.record({ userId, type: 'password_reset' });
      return { endedSessions, account: await load(userId) };
    },

    /**
     * The address the link was sent to is confirmed, if it is still the account's. The first time, every
     * session but `keepSid` ends (the version moves on): until then anyone could have registered the
     * address and signed in (account pre-hijacking, S43). Later confirmations take nothing away; the
     * sessions' copy of the account learns it at once.
     */
    async markEmailVerified(
      userId: string,
      email: string,
      { keepSid }: { keepSid?: string | undefined } = {},
    ): Promise<{ account: AccountState; isFirstConfirmation: boolean } | null> {
      const before = await users.findOneAndUpdate({ _id: userId, email }, { $set: { emailVerifiedAt: new Date() } }).exec();
      if (!before) return null;
      const isFirstConfirmation = before.emailVerifiedAt === null || before.emailVerifiedAt === undefined;
      if (isFirstConfirmation) await sessions.endAccountSessions(userId, { reason: 'revoked', actor: 'system' }, { exceptSid: keepSid });
      const account = await load(userId);
      await sessions.refreshAccount(account, { rotate: false });
      await activity.record({ userId, type: 'email_verified' });
      return { account, isFirstConfirmation };
    },

    /**
     * Moves the account to an address whose link was just followed (so it is verified). Links mailed to
     * the old address stop working, and every session's copy of the account shows the new one.
     */
    async changeEmail(userId: string, fromEmail: string, toEmail: string): Promise<ChangeEmailResult> {
      let user;
      try {
        user = await users
          .findOneAndUpdate({ _id: userId, email: fromEmail }, { $set: { email: toEmail, emailVerifiedAt: new Date() } }, { returnDocument: 'after' })
          .exec();
      } catch (error) {
        if (isDuplicateKeyError(error)) return { status: 'address_taken' };
        throw error;
      }
      if (!user) return { status: 'stale' };
      const account = accountStateOf(user);
      await tokens.revokeAll(userId);
      await sessions.refreshAccount(account, { rotate: false });
      await activity.record({ userId, type: 'email_changed' });
      return { status: 'changed', account };
    },
  };
}
