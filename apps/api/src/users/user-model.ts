import { Schema } from 'mongoose';
import type { Connection, HydratedDocument, Model } from 'mongoose';
import type { Role, User } from '@gatehouse/types/users';

export interface UserRecord {
  name: string;
  /** Stored trimmed and lower-cased (the request schemas normalise it), unique. */
  email: string;
  /** Null for an account made through an OpenID Connect provider, until a reset link sets a password. */
  passwordHash: string | null;
  role: Role;
  disabledAt: Date | null;
  /** When the current address was confirmed through a link sent to it; null until then (and after a change). */
  emailVerifiedAt: Date | null;
  /**
   * Moves on with every change that takes rights away (disable, password, role, ending all sessions),
   * before sessions are ended; a sign-in that read an older value discards the session it made (S31).
   */
  accountVersion: number;
  createdAt: Date;
  updatedAt: Date;
}

export type UserDocument = HydratedDocument<UserRecord>;
export type UserModel = Model<UserRecord>;

const userSchema = new Schema<UserRecord>(
  {
    name: { type: String, required: true, trim: true },
    email: { type: String, required: true, trim: true, lowercase: true },
    passwordHash: { type: String, default: null },
    role: { type: String, enum: ['user', 'admin'], default: 'user', required: true },
    disabledAt: { type: Date, default: null },
    emailVerifiedAt: { type: Date, default: null },
    accountVersion: { type: Number, default: 0, required: true },
  },
  { timestamps: true, collection: 'users', strict: 'throw' },
);
userSchema.index({ email: 1 }, { unique: true });

export function getUserModel(connection: Connection): UserModel {
  return (connection.models.User as UserModel | undefined) ?? connection.model<UserRecord>('User', userSchema);
}

/** What a client may see of an account (never the hash). Accounts from before verification existed read as unverified. */
export function toUserView(user: Pick<UserDocument, '_id' | 'name' | 'email' | 'role' | 'createdAt' | 'emailVerifiedAt'>): User {
  return {
    id: user._id.toString(),
    name: user.name,
    email: user.email,
    role: user.role,
    createdAt: user.createdAt.toISOString(),
    emailVerified: user.emailVerifiedAt !== null && user.emailVerifiedAt !== undefined,
  };
}
