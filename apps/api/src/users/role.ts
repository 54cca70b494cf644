import type { Connection } from 'mongoose';
import type { Role } from '@gatehouse/types/users';
import { SESSIONS_COLLECTION } from '../sessions/store';
import { getUserModel } from './user-model';

export type SetRoleResult = { status: 'changed' | 'unchanged'; userId: string; sessionsUpdated: number } | { status: 'not_found' };

/**
 * Changes an account's role and the role in every one of its sessions' account snapshot, so the change
 * applies on that person's next request without a database read per request, and that request gets a
 * new session id (S4).
 */
export async function setUserRole(connection: Connection, email: string, role: Role): Promise<SetRoleResult> {
  const users = getUserModel(connection);
  const user = await users.findOne({ email: email.trim().toLowerCase() }).exec();
  if (!user) return { status: 'not_found' };
  const status = user.role === role ? 'unchanged' : 'changed';
  if (status === 'changed') {
    user.role = role;
    await user.save();
  }
  const userId = user.id as string;
  const result = await connection
    .collection(SESSIONS_COLLECTION)
    .updateMany(
      { 'session.userId': userId },
      { $set: status === 'changed' ? { 'session.user.role': role, 'session.rotateOnNextRequest': true } : { 'session.user.role': role } },
    );
  return { status, userId, sessionsUpdated: result.modifiedCount };
}
