import type { Connection } from 'mongoose';
import type { Device } from '@gatehouse/types/sessions';

export const DEVICES_COLLECTION = 'devices';

/** One browser (device cookie) that signed in to one account. */
interface KnownDeviceDocument {
  /** `<userId>:<deviceKey>` */
  _id: string;
  userId: string;
  deviceKey: string;
  /** Given by the account's owner ("Work laptop"); null until then. */
  name: string | null;
  firstSeenAt: Date;
  lastSeenAt: Date;
  device: Device;
  lastIp: string | null;
}

/** The owner-given name and first sighting of a browser, as session lists show them. */
export interface DeviceLabel {
  name: string | null;
  firstSeenAt: Date;
}

export type KnownDevices = ReturnType<typeof createKnownDevices>;

const idOf = (userId: string, deviceKey: string) => `${userId}:${deviceKey}`;

/** The browsers each account has signed in from: throttle trust (S32), names and "first seen". */
export function createKnownDevices(connection: Connection) {
  const devices = () => connection.collection<KnownDeviceDocument>(DEVICES_COLLECTION);

  return {
    async isKnown(userId: string, deviceKey: string): Promise<boolean> {
      return (await devices().countDocuments({ _id: idOf(userId, deviceKey) }, { limit: 1 })) > 0;
    },

    /** Remembers a successful sign-in from this browser; `isNew` when the account had never used it. */
    async recordSignIn(userId: string, deviceKey: string, seen: { device: Device; ip: string | null }): Promise<{ isNew: boolean }> {
      const now = new Date();
      const result = await devices().updateOne(
        { _id: idOf(userId, deviceKey) },
        { $set: { lastSeenAt: now, device: seen.device, lastIp: seen.ip }, $setOnInsert: { userId, deviceKey, name: null, firstSeenAt: now } },
        { upsert: true },
      );
      return { isNew: result.upsertedCount === 1 };
    },

    /** How many browsers the account has signed in from (a first one is no news to alert about). */
    async countForUser(userId: string): Promise<number> {
      return devices().countDocuments({ userId });
    },

    async rename(userId: string, deviceKey: string, name: string | null): Promise<void> {
      const now = new Date();
      await devices().updateOne(
        { _id: idOf(userId, deviceKey) },
        {
          $set: { name },
          $setOnInsert: { userId, deviceKey, firstSeenAt: now, lastSeenAt: now, device: { browser: null, os: null, platform: null }, lastIp: null },
        },
        { upsert: true },
      );
    },

    /** Names and first sightings of these (account, device) pairs, keyed `<userId>:<deviceKey>`. */
    async labels(pairs: readonly { userId: string; deviceKey: string }[]): Promise<Map<string, DeviceLabel>> {
      const ids = [...new Set(pairs.map(({ userId, deviceKey }) => idOf(userId, deviceKey)))];
      if (ids.length === 0) return new Map();
      const docs = await devices()
        .find({ _id: { $in: ids } }, { projection: { name: 1, firstSeenAt: 1 } })
        .toArray();
      return new Map(docs.map((doc) => [doc._id, { name: doc.name, firstSeenAt: doc.firstSeenAt }]));
    },

    labelKey: idOf,

    /** What the account's owner may take with them: names, browsers, sightings (never the device key). */
    async listForUser(userId: string): Promise<{ name: string | null; device: Device; firstSeenAt: Date; lastSeenAt: Date; lastIp: string | null }[]> {
      const docs = await devices().find({ userId }).sort({ firstSeenAt: 1, _id: 1 }).toArray();
      return docs.map(({ name, device, firstSeenAt, lastSeenAt, lastIp }) => ({ name, device, firstSeenAt, lastSeenAt, lastIp }));
    },

    async removeAllForUser(userId: string): Promise<number> {
      return (await devices().deleteMany({ userId })).deletedCount;
    },

    async ensureIndexes(): Promise<void> {
      await devices().createIndex({ userId: 1 });
    },
  };
}
