import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { getServer, realMongo } from './server';
import type { TestServer } from './server';

// A real mongod's TTL monitor runs once a minute (ttlMonitorSleepSecs), too slow for this suite;
// the engine's monitor interval is set to 100 ms by the test helper.
describe.skipIf(realMongo)('TTL indexes (engine-only: relies on a short TTL monitor interval)', () => {
  let server: TestServer;
  let client: MongoClient;
  beforeAll(async () => {
    server = await getServer('ttl');
    client = new MongoClient(server.uri);
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
  });

  it('removes expired documents in the background; keeps live and non-date ones', async () => {
    const c = client.db(server.dbName).collection('sessions');
    await c.createIndex({ expires: 1 }, { expireAfterSeconds: 0 });
    const other = client.db(server.dbName).collection('events');
    await other.createIndex({ at: 1 }, { expireAfterSeconds: 1 });
    await c.insertMany([
      { _id: 'past', expires: new Date(Date.now() - 1000) },
      { _id: 'future', expires: new Date(Date.now() + 3_600_000) },
      { _id: 'nodate', expires: 'tomorrow' },
      { _id: 'missing' },
    ] as never[]);
    await other.insertMany([
      { _id: 'recent', at: new Date() },
      { _id: 'old', at: new Date(Date.now() - 5000) },
    ] as never[]);
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && ((await c.countDocuments({ _id: 'past' } as never)) > 0 || (await other.countDocuments({ _id: 'old' } as never)) > 0)) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await c.find({}).toArray()).map((d) => d._id).sort()).toEqual(['future', 'missing', 'nodate']);
    expect((await other.find({}).toArray()).map((d) => d._id)).toEqual(['recent']);
  });
});
