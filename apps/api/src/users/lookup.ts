import { isValidObjectId } from 'mongoose';
import type { Connection } from 'mongoose';
import { getUserModel } from './user-model';
import type { UserRecord } from './user-model';

export interface UserRef {
  id: string;
  email: string;
  name: string;
}

/** Session documents name users by id string; ids that are not ObjectIds simply match no account. */
export async function usersById(connection: Connection, ids: readonly string[]): Promise<Map<string, UserRef>> {
  const valid = [...new Set(ids)].filter((id) => isValidObjectId(id));
  if (valid.length === 0) return new Map();
  const users = await getUserModel(connection)
    .find({ _id: { $in: valid } }, { email: 1, name: 1 })
    .lean();
  return new Map(users.map((user) => [user._id.toString(), { id: user._id.toString(), email: user.email, name: user.name }]));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Ids of accounts whose email contains `fragment` (emails are stored lower-cased). */
export async function userIdsByEmailFragment(connection: Connection, fragment: string): Promise<string[]> {
  const users = await getUserModel(connection)
    .find({ email: { $regex: escapeRegExp(fragment.toLowerCase()) } }, { _id: 1 })
    .lean();
  return users.map((user) => user._id.toString());
}

export async function emailsById(connection: Connection, ids: readonly string[]): Promise<Map<string, string>> {
  const users = await usersById(connection, ids);
  return new Map([...users].map(([id, user]) => [id, user.email]));
}

/** An account as the admin console lists it. */
export type AdminUserRecord = Pick<UserRecord, 'name' | 'email' | 'role' | 'disabledAt' | 'createdAt'> & { _id: { toString(): string } };

const ADMIN_USER_FIELDS = { name: 1, email: 1, role: 1, disabledAt: 1, createdAt: 1 };

export function adminUserById(connection: Connection, id: string): Promise<AdminUserRecord | null> {
  return getUserModel(connection).findById(id, ADMIN_USER_FIELDS).lean<AdminUserRecord>();
}

export function allAdminUsers(connection: Connection): Promise<AdminUserRecord[]> {
  return getUserModel(connection).find({}, ADMIN_USER_FIELDS).sort({ email: 1 }).lean<AdminUserRecord[]>();
}

/** The id of the account with exactly this (normalised) address, if any. */
export async function userIdByEmail(connection: Connection, email: string): Promise<string | null> {
  const user = await getUserModel(connection).findOne({ email }, { _id: 1 }).lean();
  return user ? user._id.toString() : null;
}
