/** Engine-only: needs an engine started with users (a shared real server's users are unknown). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import type { MongoServerError } from 'mongodb';
import { start } from '../src/index';
import type { RunningEngine } from '../src/index';
import { quietLogger, realMongo } from './server';

describe.skipIf(realMongo)('SCRAM-SHA-256 authentication (engine-only: needs configured users)', () => {
  let engine: RunningEngine;
  const withCreds = (user: string, pw: string): string =>
    engine.uri.replace('mongodb://', `mongodb://${user}:${encodeURIComponent(pw)}@`) + 'app?authSource=admin';

  beforeAll(async () => {
    engine = await start({ port: 0, logger: quietLogger, users: ['admin:s3cret', { user: 'svc', password: 'p@ss:word' }] });
  });
  afterAll(async () => {
    await engine?.stop();
  });

  it('accepts the right password (speculative auth in the handshake)', async () => {
    const client = new MongoClient(withCreds('admin', 's3cret'));
    try {
      await client.db('app').collection('x').insertOne({ a: 1 });
      expect(await client.db('app').collection('x').countDocuments()).toBe(1);
      const status = await client.db('admin').command({ connectionStatus: 1 });
      expect(status.authInfo.authenticatedUsers[0].user).toBe('admin');
    } finally {
      await client.close();
    }
  });

  it('accepts explicit SCRAM-SHA-256 for a second user with special characters', async () => {
    const client = new MongoClient(withCreds('svc', 'p@ss:word'), { authMechanism: 'SCRAM-SHA-256' });
    try {
      expect(await client.db('app').collection('x').countDocuments()).toBeGreaterThanOrEqual(0);
    } finally {
      await client.close();
    }
  });

  it('rejects a wrong password with code 18', async () => {
    const client = new MongoClient(withCreds('admin', 'wrong'), { serverSelectionTimeoutMS: 3000 });
    const err = await client.connect().catch((e: unknown) => e);
    await client.close();
    expect((err as MongoServerError).code).toBe(18);
  });

  it('rejects an unknown user with code 18', async () => {
    const client = new MongoClient(withCreds('nobody', 'x'), { serverSelectionTimeoutMS: 3000 });
    const err = await client.connect().catch((e: unknown) => e);
    await client.close();
    expect((err as MongoServerError).code).toBe(18);
  });

  it('refuses unauthenticated commands with code 13, but allows hello/ping/buildInfo', async () => {
    const client = new MongoClient(engine.uri);
    try {
      expect(await client.db('admin').command({ ping: 1 })).toMatchObject({ ok: 1 });
      expect(await client.db('admin').command({ hello: 1 })).toMatchObject({ isWritablePrimary: true });
      expect((await client.db('admin').command({ buildInfo: 1 })).ok).toBe(1);
      const err = await client
        .db('app')
        .collection('x')
        .findOne({})
        .catch((e: unknown) => e);
      expect((err as MongoServerError).code).toBe(13);
      const err2 = await client
        .db('app')
        .command({ listCollections: 1 })
        .catch((e: unknown) => e);
      expect((err2 as MongoServerError).code).toBe(13);
    } finally {
      await client.close();
    }
  });
});
