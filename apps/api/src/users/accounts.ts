import type { Role } from '@gatehouse/types/users';
import type { ActivityLog } from '../activity/activity-log';
import type { AccountSource, AccountState, SessionRegistry } from '../sessions/registry';
import { toUserView } from './user-model';
import type { UserDocument, UserModel } from './user-model';

/** The registry's view of an account, from a document read with at least these fields. */
export function accountStateOf(user: Pick<UserDocument, '_id' | 'name' | 'email' | 'role' | 'createdAt' | 'disabledAt' | 'accountVersion'>): AccountState {
  return { user: toUserView(user), version: user.accountVersion ?? 0, isDisabled: user.disabledAt !== null && user.disabledAt !== undefined };
}

/** What the session registry reads and moves on: users/ implements it, sessions/ never imports users/. */
export function createAccountSource(users: UserModel): AccountSource {
  return {
    async load(userId) {
      const user = await users.findById(userId, { name: 1, email: 1, role: 1, createdAt: 1, disabledAt: 1, accountVersion: 1 }).exec();
      return user ? accountStateOf(user) : null;
    },
    async bumpVersion(userId) {
      const user = await users.findOneAndUpdate({ _id: userId }, { $inc: { accountVersion: 1 } }, { returnDocument: 'after', projection: { accountVersion: 1 } }).exec();
      return user?.accountVersion ?? 0;
    },
  };
}

export type SetRoleResult = { status: 'changed' | 'unchanged'; userId: string; sessionsUpdated: number } | { status: 'not_found' };

export interface AccountChangesDeps {
  users: UserModel;
  sessions: Pick<SessionRegistry, 'endAccountSessions' | 'refreshAccount'>;
  activity: Pick<ActivityLog, 'record'>;
}

export type AccountChanges = ReturnType<typeof createAccountChanges>;

/**
 * Changes that take rights away. Each writes the account first (moving its version on), then deals with
 * its sessions through the registry, so no sign-in racing it keeps the old rights (S31).
 */
export function createAccountChanges({ users, sessions, activity }: AccountChangesDeps) {
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
      await activity.record({ userId, type: 'password_changed' });
      const user = await users.findById(userId).exec();
      if (!user) throw new Error(`account ${userId} vanished while its password changed`);
      return { endedSessions, account: accountStateOf(user) };
    },
  };
}
