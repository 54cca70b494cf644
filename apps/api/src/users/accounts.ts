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

/** What the session registry reads and moves on: users/ implements it, sessions/ never imports users/. */
export function createAccountSource(users: UserModel): AccountSource {
  return {
    async load(userId) {
      const user = await users.findById(userId, { name: 1, email: 1, role: 1, createdAt: 1, emailVerifiedAt: 1, disabledAt: 1, accountVersion: 1 }).exec();
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
     * The address the link was sent to is confirmed, if it is still the account's. Nothing is taken
     * away, so the version stays; the sessions' copy of the account learns it at once.
     */
    async markEmailVerified(userId: string, email: string): Promise<AccountState | null> {
      const user = await users.findOneAndUpdate({ _id: userId, email }, { $set: { emailVerifiedAt: new Date() } }, { returnDocument: 'after' }).exec();
      if (!user) return null;
      const account = accountStateOf(user);
      await sessions.refreshAccount(account, { rotate: false });
      await activity.record({ userId, type: 'email_verified' });
      return account;
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
