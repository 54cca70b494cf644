import type { Connection } from 'mongoose';
import { isDuplicateKeyError } from '../db/errors';

export const OIDC_IDENTITIES_COLLECTION = 'oidc_identities';

/** A provider account connected to a Gatehouse account: the provider's subject is what signs in, never the address. */
export interface OidcIdentity {
  provider: string;
  /** The ID token's `sub`: stable for the provider account, unlike its address. */
  subject: string;
  userId: string;
  /** The address the provider gave when it was connected (shown to the owner). */
  email: string;
  connectedAt: Date;
}

interface OidcIdentityDocument extends OidcIdentity {
  /** `<provider>:<subject>`: one Gatehouse account per provider account. */
  _id: string;
}

export type OidcIdentities = ReturnType<typeof createOidcIdentities>;

/** Owns the connections between provider accounts and Gatehouse accounts. */
export function createOidcIdentities(connection: Connection) {
  const identities = () => connection.collection<OidcIdentityDocument>(OIDC_IDENTITIES_COLLECTION);
  const strip = ({ _id: _key, ...identity }: OidcIdentityDocument): OidcIdentity => identity;

  return {
    async find(provider: string, subject: string): Promise<OidcIdentity | null> {
      const doc = await identities().findOne({ _id: `${provider}:${subject}` });
      return doc ? strip(doc) : null;
    },

    /**
     * Connects the provider account; `taken` when it is connected to another account already, or this
     * account has that provider connected (one per provider).
     */
    async link(identity: Omit<OidcIdentity, 'connectedAt'>): Promise<'linked' | 'taken'> {
      try {
        await identities().insertOne({ _id: `${identity.provider}:${identity.subject}`, ...identity, connectedAt: new Date() });
        return 'linked';
      } catch (error) {
        if (isDuplicateKeyError(error)) return 'taken';
        throw error;
      }
    },

    async unlink(userId: string, provider: string): Promise<boolean> {
      return (await identities().deleteOne({ userId, provider })).deletedCount === 1;
    },

    /** Every connection of the account (it is being deleted). */
    async unlinkAll(userId: string): Promise<number> {
      return (await identities().deleteMany({ userId })).deletedCount;
    },

    async listForUser(userId: string): Promise<OidcIdentity[]> {
      return (await identities().find({ userId }).sort({ connectedAt: 1 }).toArray()).map(strip);
    },

    /** Provider ids connected to each of these accounts (the admin's list). */
    async providersAmong(userIds: string[]): Promise<Map<string, string[]>> {
      const docs = await identities()
        .find({ userId: { $in: userIds } }, { projection: { userId: 1, provider: 1 } })
        .toArray();
      const byUser = new Map<string, string[]>();
      for (const doc of docs) byUser.set(doc.userId, [...(byUser.get(doc.userId) ?? []), doc.provider]);
      return byUser;
    },

    async ensureIndexes(): Promise<void> {
      await identities().createIndex({ userId: 1, provider: 1 }, { unique: true });
    },
  };
}
