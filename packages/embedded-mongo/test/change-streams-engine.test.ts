/**
 * Engine-only: how the engine presents itself (one-member replica set, or standalone on request),
 * what it refuses loudly, and what a test cannot do to a real MongoDB — restart it, bound its
 * history to a handful of events, sweep TTL on demand.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Long, MongoClient, MongoServerError, ObjectId } from 'mongodb';
import type { Document, Timestamp } from 'mongodb';
import { start } from '../src/index';
import type { RunningEngine, StartOptions } from '../src/index';
import { Collector, sleep } from './change-stream-helpers';
import type { Event, Row } from './change-stream-helpers';
import { quietLogger, realMongo } from './server';

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-mongo-cs-'));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));
let dirN = 0;
const freshDir = (): string => path.join(tmpRoot, `db${++dirN}`);

/** The topology type the driver settled on, as its SDAM events report it. */
const topologyOf = new WeakMap<MongoClient, string>();

async function withEngine<T>(opts: StartOptions, fn: (client: MongoClient, engine: RunningEngine) => Promise<T>): Promise<T> {
  const engine = await start({ port: 0, logger: quietLogger, ...opts });
  const client = new MongoClient(engine.uri, { serverSelectionTimeoutMS: 5000 });
  client.on('topologyDescriptionChanged', (e) => topologyOf.set(client, e.newDescription.type));
  try {
    return await fn(client, engine);
  } finally {
    await client.close();
    await engine.stop();
  }
}

async function failure(p: Promise<unknown>): Promise<MongoServerError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(MongoServerError);
  return e as MongoServerError;
}

describe.skipIf(realMongo)('change streams: engine-only (presentation, restarts, bounded history)', () => {
  it('presents itself as the primary of a one-member replica set', async () => {
    await withEngine({}, async (client, engine) => {
      const hello = await client.db('admin').command({ hello: 1 });
      const self = `127.0.0.1:${engine.port}`;
      expect(hello).toMatchObject({ setName: 'rs0', hosts: [self], primary: self, me: self, isWritablePrimary: true, secondary: false, setVersion: 1 });
      expect(hello.electionId).toBeInstanceOf(ObjectId);
      expect(hello.topologyVersion).toBeUndefined();
      expect(hello.operationTime).toBeDefined();
      const status = await client.db('admin').command({ replSetGetStatus: 1 });
      expect(status).toMatchObject({ set: 'rs0', myState: 1, members: [{ name: self, stateStr: 'PRIMARY', self: true }] });
      expect(topologyOf.get(client)).toBe('ReplicaSetWithPrimary');

      // Reached as localhost, it points the driver at the address it advertises.
      const viaName = new MongoClient(`mongodb://localhost:${engine.port}/`, { serverSelectionTimeoutMS: 5000 });
      try {
        await viaName.db('app').collection<Row>('x').insertOne({ _id: 1 });
        expect(await viaName.db('app').collection<Row>('x').findOne({ _id: 1 })).toEqual({ _id: 1 });
      } finally {
        await viaName.close();
      }
    });
  });

  it('a driver that saw a stopped engine accepts the restarted one as the same primary', async () => {
    const dbPath = freshDir();
    let engine = await start({ port: 0, logger: quietLogger, dbPath });
    const { port } = engine;
    const client = new MongoClient(engine.uri, { serverSelectionTimeoutMS: 5000, heartbeatFrequencyMS: 500 });
    try {
      await client.db('app').collection<Row>('x').insertOne({ _id: 1 });
      const before = (await client.db('admin').command({ hello: 1 })).electionId as ObjectId;
      await engine.stop();
      await sleep(1100);
      engine = await start({ port, logger: quietLogger, dbPath });
      let found: Document | null = null;
      for (let i = 0; i < 40 && !found; i++) {
        found = await client
          .db('app')
          .collection<Row>('x')
          .findOne({ _id: 1 })
          .catch(() => null);
        if (!found) await sleep(250);
      }
      expect(found).toEqual({ _id: 1 });
      const after = (await client.db('admin').command({ hello: 1 })).electionId as ObjectId;
      expect(after.toHexString() > before.toHexString()).toBe(true);
      await client.db('app').collection<Row>('x').insertOne({ _id: 2 });
    } finally {
      await client.close();
      await engine.stop();
    }
  });

  it('replicaSet: false presents a standalone server: no change streams (40573), transactions refused (20)', async () => {
    await withEngine({ replicaSet: false }, async (client) => {
      const hello = await client.db('admin').command({ hello: 1 });
      expect(hello.setName).toBeUndefined();
      expect(hello.operationTime).toBeUndefined();
      expect(topologyOf.get(client)).toBe('Single');
      const coll = client.db('app').collection<Row>('x');
      expect((await failure(coll.watch().next())).code).toBe(40573);
      const session = client.startSession();
      try {
        session.startTransaction();
        // (A write would be refused too; the driver rewords code 20 on writes as "no retryable writes".)
        expect((await failure(coll.findOne({}, { session }))).code).toBe(20);
      } finally {
        await session.abortTransaction().catch(() => undefined);
        await session.endSession();
      }
    });
  });

  it('multi-document transactions fail loudly (115) on the replica-set presentation', async () => {
    await withEngine({}, async (client) => {
      const coll = client.db('app').collection<Row>('x');
      const session = client.startSession();
      try {
        const e = await failure(session.withTransaction(async () => coll.insertOne({ _id: 1 }, { session })));
        expect(e.code).toBe(115);
        expect(e.message).toContain('transactions are not supported');
      } finally {
        await session.endSession();
      }
      expect(await coll.countDocuments()).toBe(0);
    });
  });

  it('refuses change stream options it does not implement (115)', async () => {
    await withEngine({}, async (client) => {
      const coll = client.db('app').collection<Row>('x');
      expect((await failure(coll.watch([], { showExpandedEvents: true }).next())).code).toBe(115);
      expect((await failure(coll.watch([{ $changeStreamSplitLargeEvent: {} }]).next())).code).toBe(115);
    });
  });

  it('resuming after a restart fails loudly (286): the change history is not kept', async () => {
    const dbPath = freshDir();
    let resumeToken: unknown;
    let at: Timestamp | undefined;
    await withEngine({ dbPath }, async (client) => {
      const coll = client.db('app').collection<Row>('sessions');
      const c = await Collector.start(coll.watch<Document, Event>());
      const session = client.startSession();
      await coll.insertOne({ _id: 'a' }, { session });
      at = session.operationTime;
      await session.endSession();
      const [event] = await c.take(1);
      resumeToken = event?._id;
      await c.close();
    });
    await withEngine({ dbPath }, async (client) => {
      const coll = client.db('app').collection<Row>('sessions');
      expect(await coll.findOne({ _id: 'a' })).toEqual({ _id: 'a' });
      const lost = await failure(coll.watch([], { resumeAfter: resumeToken }).next());
      expect(lost.code).toBe(286);
      expect(lost.codeName).toBe('ChangeStreamHistoryLost');
      expect((await failure(coll.watch([], { startAtOperationTime: at }).next())).code).toBe(286);
      // A new stream starts now, and sees nothing of the previous run.
      const c = await Collector.start(coll.watch<Document, Event>());
      await coll.insertOne({ _id: 'b' });
      expect((await c.take(1))[0]).toMatchObject({ operationType: 'insert', documentKey: { _id: 'b' } });
      await c.close();
    });
  });

  it('the history is bounded: a token older than it, or a stream that fell behind it, gets 286', async () => {
    await withEngine({ changeHistorySize: 5 }, async (client) => {
      const coll = client.db('app').collection<Row>('x');
      const c = await Collector.start(coll.watch<Document, Event>());
      await coll.insertOne({ _id: 0 });
      const [first] = await c.take(1);
      await c.close();
      const behind = coll.watch<Document, Event>([], { maxAwaitTimeMS: 50 });
      expect(await behind.tryNext()).toBeNull();
      for (let i = 1; i <= 6; i++) await coll.insertOne({ _id: i });
      expect((await failure(coll.watch([], { resumeAfter: first?._id }).next())).code).toBe(286);
      expect((await failure(behind.next())).code).toBe(286);
      // Within the history, resuming works.
      const fresh = await Collector.start(coll.watch<Document, Event>());
      await coll.insertOne({ _id: 7 });
      const [seventh] = await fresh.take(1);
      await coll.insertOne({ _id: 8 });
      await fresh.close();
      const resumed = await Collector.start(coll.watch<Document, Event>([], { resumeAfter: seventh?._id }));
      expect((await resumed.take(1))[0]).toMatchObject({ documentKey: { _id: 8 } });
      await resumed.close();
    });
  });

  it('with a dbPath, events arrive once durable; TTL deletions are delete events', async () => {
    await withEngine({ dbPath: freshDir() }, async (client, engine) => {
      const coll = client.db('app').collection<Row>('sessions');
      await coll.createIndex({ expires: 1 }, { expireAfterSeconds: 0 });
      const c = await Collector.start(coll.watch<Document, Event>([], { fullDocument: 'updateLookup' }));
      await coll.insertOne({ _id: 's1', expires: new Date(Date.now() - 1000) });
      await coll.updateOne({ _id: 's1' }, { $set: { user: 'u1' } });
      const [insert, update] = await c.take(2);
      expect(insert).toMatchObject({ operationType: 'insert', documentKey: { _id: 's1' } });
      expect(update).toMatchObject({ operationType: 'update', fullDocument: { _id: 's1', user: 'u1' } });
      expect(engine.sweepTtl()).toBe(1);
      expect((await c.take(1))[0]).toMatchObject({ operationType: 'delete', documentKey: { _id: 's1' } });
      await c.close();
    });
  });

  it('killCursors from another connection ends a waiting getMore at once (237)', async () => {
    await withEngine({}, async (client) => {
      const db = client.db('app');
      const opened = await db.command({ aggregate: 'k', pipeline: [{ $changeStream: {} }], cursor: {} });
      // The driver hands command results back with int64 promoted to numbers where they fit.
      const id = Long.fromValue((opened.cursor as { id: number | Long }).id);
      expect(id.isZero()).toBe(false);
      expect(opened.cursor.postBatchResumeToken).toEqual({ _data: expect.any(String) });
      const waiting = failure(db.command({ getMore: id, collection: 'k', maxTimeMS: 20_000 }));
      await sleep(100);
      const started = performance.now();
      const other = new MongoClient(client.options.hosts.map((h) => `mongodb://${h.toString()}/`)[0] as string);
      try {
        const killed = await other.db('app').command({ killCursors: 'k', cursors: [id] });
        expect(killed.cursorsKilled).toHaveLength(1);
      } finally {
        await other.close();
      }
      expect((await waiting).code).toBe(237);
      expect(performance.now() - started).toBeLessThan(3000);
      expect((await failure(db.command({ getMore: id, collection: 'k' }))).code).toBe(43);
    });
  });

  it('a waiting getMore is given up when its connection closes, and the engine stops at once', async () => {
    const engine = await start({ port: 0, logger: quietLogger });
    const client = new MongoClient(engine.uri);
    const c = await Collector.start(client.db('app').collection<Row>('x').watch([], { maxAwaitTimeMS: 60_000 }));
    await sleep(100);
    const started = performance.now();
    await engine.stop();
    expect(performance.now() - started).toBeLessThan(3000);
    await client.close(true);
    expect(await c.failure(10_000)).toBeDefined();
  });
});
