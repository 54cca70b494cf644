import type { Role } from '@gatehouse/types/users';
import { isDuplicateKeyError } from '../db/errors';
import type { UserModel } from './user-model';

/** An account as mail and links need it: who to write to, and whether it can still sign in. */
export interface Contact {
  id: string;
  email: string;
  isDisabled: boolean;
}

export type UserDirectory = ReturnType<typeof createUserDirectory>;

/** Finding and creating accounts by address: the reads other modules need, so only users/ queries the collection. */
export function createUserDirectory(users: UserModel) {
  /** The new account's id; null when the address already has one. */
  async function create(input: {
    name: string;
    email: string;
    passwordHash: string | null;
    emailVerifiedAt: Date | null;
    role?: Role;
  }): Promise<string | null> {
    try {
      const created = await users.create({ ...input, role: input.role ?? 'user', disabledAt: null, accountVersion: 0 });
      return created._id.toString();
    } catch (error) {
      if (isDuplicateKeyError(error)) return null;
      throw error;
    }
  }

  return {
    /** A new account, its address not yet confirmed; null when the address already has one (the answer must not say so, S34). */
    register: (input: { name: string; email: string; passwordHash: string; role?: Role }) => create({ ...input, emailVerifiedAt: null }),

    /** A new account whose address a provider vouched for (confirmed, no password); null when the address has one. */
    registerConfirmed: (input: { name: string; email: string }) => create({ ...input, passwordHash: null, emailVerifiedAt: new Date() }),

    /** Takes back an account made a moment ago whose provider connection could not be made. */
    async removeUnused(userId: string): Promise<void> {
      await users.deleteOne({ _id: userId }).exec();
    },

    /** The account document itself (deleting an account: everything else of it has to go too, see account/leaving.ts). */
    async remove(userId: string): Promise<boolean> {
      return (await users.deleteOne({ _id: userId }).exec()).deletedCount === 1;
    },

    async hasPassword(userId: string): Promise<boolean> {
      return ((await users.findById(userId, { passwordHash: 1 }).exec())?.passwordHash ?? null) !== null;
    },

    async contactByEmail(email: string): Promise<Contact | null> {
      const user = await users.findOne({ email }, { _id: 1, email: 1, disabledAt: 1 }).exec();
      return user ? { id: user._id.toString(), email: user.email, isDisabled: user.disabledAt !== null && user.disabledAt !== undefined } : null;
    },

    async emailOf(userId: string): Promise<string | null> {
      return (await users.findById(userId, { email: 1 }).exec())?.email ?? null;
    },
  };
}
