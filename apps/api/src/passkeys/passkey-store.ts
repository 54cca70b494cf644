import { randomBytes } from 'node:crypto';
import { mongo } from 'mongoose';
import type { Connection } from 'mongoose';
import type { PasskeyView } from '@gatehouse/types/passkeys';

export const PASSKEYS_COLLECTION = 'passkeys';

interface PasskeyDocument {
  /** The credential id (base64url), as the authenticator gave it. */
  _id: string;
  userId: string;
  /** The WebAuthn user handle of the account (random, the same for all its passkeys; no personal data). */
  userHandle: string;
  name: string;
  publicKey: mongo.Binary;
  /** The authenticator's signature counter; 0 for those that keep none (synced passkeys). */
  counter: number;
  transports: string[];
  isSynced: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export interface StoredPasskey {
  id: string;
  userId: string;
  userHandle: string;
  name: string;
  publicKey: Uint8Array<ArrayBuffer>;
  counter: number;
  transports: string[];
}

export interface NewPasskey {
  id: string;
  userId: string;
  userHandle: string;
  name: string;
  publicKey: Uint8Array;
  counter: number;
  transports: string[];
  isSynced: boolean;
}

export type PasskeyStore = ReturnType<typeof createPasskeyStore>;

function toView(doc: PasskeyDocument): PasskeyView {
  return { id: doc._id, name: doc.name, createdAt: doc.createdAt.toISOString(), lastUsedAt: doc.lastUsedAt?.toISOString() ?? null, isSynced: doc.isSynced };
}

function toStored(doc: PasskeyDocument): StoredPasskey {
  return {
    id: doc._id,
    userId: doc.userId,
    userHandle: doc.userHandle,
    name: doc.name,
    publicKey: new Uint8Array(doc.publicKey.buffer),
    counter: doc.counter,
    transports: doc.transports,
  };
}

/** Owns the passkeys collection: the public keys, names and counters of every account's passkeys. */
export function createPasskeyStore(connection: Connection) {
  const passkeys = () => connection.collection<PasskeyDocument>(PASSKEYS_COLLECTION);

  return {
    async listForUser(userId: string): Promise<PasskeyView[]> {
      const docs = await passkeys().find({ userId }).sort({ createdAt: 1, _id: 1 }).toArray();
      return docs.map(toView);
    },

    async credentialsOf(userId: string): Promise<StoredPasskey[]> {
      return (await passkeys().find({ userId }).toArray()).map(toStored);
    },

    async countForUser(userId: string): Promise<number> {
      return passkeys().countDocuments({ userId });
    },

    /** Which of these accounts have at least one passkey. */
    async ownersAmong(userIds: string[]): Promise<Set<string>> {
      const owners = await passkeys().distinct('userId', { userId: { $in: userIds } });
      return new Set(owners);
    },

    async find(id: string): Promise<StoredPasskey | null> {
      const doc = await passkeys().findOne({ _id: id });
      return doc ? toStored(doc) : null;
    },

    /** The account's user handle: the one its passkeys already carry, or a new random one. */
    async userHandleOf(userId: string): Promise<string> {
      const doc = await passkeys().findOne({ userId }, { projection: { userHandle: 1 } });
      return doc?.userHandle ?? randomBytes(32).toString('base64url');
    },

    async add(passkey: NewPasskey): Promise<PasskeyView> {
      const doc: PasskeyDocument = {
        _id: passkey.id,
        userId: passkey.userId,
        userHandle: passkey.userHandle,
        name: passkey.name,
        publicKey: new mongo.Binary(Buffer.from(passkey.publicKey)),
        counter: passkey.counter,
        transports: passkey.transports,
        isSynced: passkey.isSynced,
        createdAt: new Date(),
        lastUsedAt: null,
      };
      await passkeys().insertOne(doc);
      return toView(doc);
    },

    /**
     * Records a use with the counter the authenticator reported. Conditional on the counter read before
     * the check, so two assertions racing with one counter value cannot both pass (S38).
     */
    async recordUse(id: string, previousCounter: number, newCounter: number): Promise<boolean> {
      const { modifiedCount } = await passkeys().updateOne({ _id: id, counter: previousCounter }, { $set: { counter: newCounter, lastUsedAt: new Date() } });
      return modifiedCount === 1;
    },

    async rename(userId: string, id: string, name: string): Promise<PasskeyView | null> {
      const doc = await passkeys().findOneAndUpdate({ _id: id, userId }, { $set: { name } }, { returnDocument: 'after' });
      return doc ? toView(doc) : null;
    },

    async remove(userId: string, id: string): Promise<PasskeyView | null> {
      const doc = await passkeys().findOneAndDelete({ _id: id, userId });
      return doc ? toView(doc) : null;
    },

    /** Every passkey of the account (it is being deleted). */
    async removeAllForUser(userId: string): Promise<number> {
      return (await passkeys().deleteMany({ userId })).deletedCount;
    },

    async ensureIndexes(): Promise<void> {
      await passkeys().createIndex({ userId: 1 });
    },
  };
}
