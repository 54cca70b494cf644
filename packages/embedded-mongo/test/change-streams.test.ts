/**
 * Change streams through the official driver and mongoose, with MongoDB's documented event shapes
 * as expectations. Against MONGODB_URI they need a replica set (or mongos); a standalone mongod
 * has no change streams, so the suite is skipped there (told apart by its hello reply).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Long, MongoClient, MongoServerError, Timestamp } from 'mongodb';
import type { Collection, Db, Document } from 'mongodb';
import mongoose from 'mongoose';
import { useDatabase } from './server';
import type { TestServer } from './server';
import { Collector, firstHost, serverHasChangeStreams, sleep, startProxy, throughProxy } from './change-stream-helpers';
import type { Event, Row } from './change-stream-helpers';

const supported = await serverHasChangeStreams();

const token = expect.objectContaining({ _data: expect.any(String) });
const timestamp = expect.any(Timestamp);
const date = expect.any(Date);

function laterThan(a: Timestamp, b: Timestamp): boolean {
  return a.t > b.t || (a.t === b.t && a.i > b.i);
}

async function failure(p: Promise<unknown>): Promise<MongoServerError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(MongoServerError);
  return e as MongoServerError;
}

describe.skipIf(!supported)('change streams (a standalone MONGODB_URI has none: MongoDB requires a replica set)', () => {
  let server: TestServer;
  let client: MongoClient;
  let db: Db;

  const database = useDatabase('change_streams');
  beforeAll(() => {
    ({ server, client, db } = database);
  });

  /** Opens a stream, waits until the server has it, then runs `writes`, and returns the events. */
  async function eventsOf(coll: Collection<Row>, pipeline: Document[], options: Document, count: number, writes: () => Promise<void>): Promise<Event[]> {
    const c = await Collector.start(coll.watch<Document, Event>(pipeline, options));
    try {
      await writes();
      return await c.take(count);
    } finally {
      await c.close();
    }
  }

  describe('events', () => {
    it('insert, update, replace and delete have the documented shapes', async () => {
      const coll = db.collection<Row>('shapes');
      const ns = { db: server.dbName, coll: 'shapes' };
      const events = await eventsOf(coll, [], {}, 4, async () => {
        await coll.insertOne({ _id: 1, name: 'ann', visits: 1 });
        await coll.updateOne({ _id: 1 }, { $set: { name: 'bob' }, $inc: { visits: 1 } });
        await coll.replaceOne({ _id: 1 }, { name: 'cy' });
        await coll.deleteOne({ _id: 1 });
      });
      expect(events[0]).toEqual({
        _id: token,
        operationType: 'insert',
        clusterTime: timestamp,
        wallTime: date,
        fullDocument: { _id: 1, name: 'ann', visits: 1 },
        ns,
        documentKey: { _id: 1 },
      });
      expect(events[1]).toEqual({
        _id: token,
        operationType: 'update',
        clusterTime: timestamp,
        wallTime: date,
        ns,
        documentKey: { _id: 1 },
        updateDescription: { updatedFields: { name: 'bob', visits: 2 }, removedFields: [], truncatedArrays: [] },
      });
      expect(events[2]).toEqual({
        _id: token,
        operationType: 'replace',
        clusterTime: timestamp,
        wallTime: date,
        fullDocument: { _id: 1, name: 'cy' },
        ns,
        documentKey: { _id: 1 },
      });
      expect(events[3]).toEqual({ _id: token, operationType: 'delete', clusterTime: timestamp, wallTime: date, ns, documentKey: { _id: 1 } });
      for (let i = 1; i < events.length; i++) {
        expect(laterThan((events[i] as Event).clusterTime as Timestamp, (events[i - 1] as Event).clusterTime as Timestamp)).toBe(true);
      }
      expect(new Set(events.map((e) => JSON.stringify(e._id))).size).toBe(4);
    });

    it('one event per document of a multi-document write, none for a write that changes nothing', async () => {
      const coll = db.collection<Row>('multi');
      const events = await eventsOf(coll, [], {}, 5, async () => {
        await coll.insertMany([
          { _id: 'a', n: 1 },
          { _id: 'b', n: 1 },
        ]);
        await coll.updateOne({ _id: 'a' }, { $set: { n: 1 } }); // no change: no event
        await coll.updateMany({}, { $inc: { n: 1 } });
        await coll.deleteMany({ _id: 'a' });
      });
      expect(events.map((e) => [e.operationType, e.documentKey._id])).toEqual([
        ['insert', 'a'],
        ['insert', 'b'],
        ['update', 'a'],
        ['update', 'b'],
        ['delete', 'a'],
      ]);
    });

    it('updateDescription as MongoDB logs each update operator', async () => {
      const coll = db.collection<Row>('descriptions');
      await coll.insertOne({ _id: 1, name: 'ann', n: 1, tags: ['a', 'b'], profile: { city: 'Oslo' } });
      const events = await eventsOf(coll, [], {}, 8, async () => {
        await coll.updateOne({ _id: 1 }, { $set: { 'settings.theme': 'dark' } }); // created under a missing parent
        await coll.updateOne({ _id: 1 }, { $set: { 'profile.zip': '0150', 'profile.city': 'Bergen' } });
        await coll.updateOne({ _id: 1 }, { $unset: { n: '' } });
        await coll.updateOne({ _id: 1 }, { $push: { tags: 'c' } }); // an append: element by element
        await coll.updateOne({ _id: 1 }, { $push: { tags: { $each: ['d'], $slice: -2 } } }); // sliced: whole array
        await coll.updateOne({ _id: 1 }, { $pull: { tags: 'c' } });
        await coll.updateOne({ _id: 1 }, { $rename: { name: 'title' } });
        await coll.updateOne({ _id: 1 }, { $set: { profile: { city: 'Oslo' } } }); // a whole sub-document
      });
      expect(events.map((e) => e.updateDescription)).toEqual([
        { updatedFields: { settings: { theme: 'dark' } }, removedFields: [], truncatedArrays: [] },
        { updatedFields: { 'profile.city': 'Bergen', 'profile.zip': '0150' }, removedFields: [], truncatedArrays: [] },
        { updatedFields: {}, removedFields: ['n'], truncatedArrays: [] },
        { updatedFields: { 'tags.2': 'c' }, removedFields: [], truncatedArrays: [] },
        { updatedFields: { tags: ['c', 'd'] }, removedFields: [], truncatedArrays: [] },
        { updatedFields: { tags: ['d'] }, removedFields: [], truncatedArrays: [] },
        { updatedFields: { title: 'ann' }, removedFields: ['name'], truncatedArrays: [] },
        { updatedFields: { profile: { city: 'Oslo' } }, removedFields: [], truncatedArrays: [] },
      ]);
    });

    it('a pipeline update is described by a document diff, with truncated arrays', async () => {
      const coll = db.collection<Row>('pipeline_updates');
      const list = Array.from({ length: 10 }, (_, i) => `item number ${String(i).padStart(8, '0')}`);
      await coll.insertOne({ _id: 1, list, keep: 'same', drop: true });
      const [event] = await eventsOf(coll, [], {}, 1, async () => {
        await coll.updateOne({ _id: 1 }, [{ $set: { list: { $slice: ['$list', 5] }, added: 1 } }, { $unset: 'drop' }]);
      });
      expect(event).toMatchObject({
        operationType: 'update',
        updateDescription: { updatedFields: { added: 1 }, removedFields: ['drop'], truncatedArrays: [{ field: 'list', newSize: 5 }] },
      });
    });

    it('drop and rename of the watched collection are followed by invalidate, which ends the stream', async () => {
      const coll = db.collection<Row>('doomed');
      await coll.insertOne({ _id: 1 });
      const c = await Collector.start(coll.watch<Document, Event>());
      await coll.drop();
      const [drop, invalidate] = await c.take(2);
      expect(drop).toEqual({ _id: token, operationType: 'drop', clusterTime: timestamp, wallTime: date, ns: { db: server.dbName, coll: 'doomed' } });
      expect(invalidate).toEqual({ _id: token, operationType: 'invalidate', clusterTime: timestamp, wallTime: date });
      await c.failure();
      expect(c.stream.closed).toBe(true);

      const renamed = db.collection<Row>('renamed_from');
      await renamed.insertOne({ _id: 1 });
      const r = await Collector.start(renamed.watch<Document, Event>());
      await renamed.rename('renamed_to');
      const [rename, inv] = await r.take(2);
      expect(rename).toEqual({
        _id: token,
        operationType: 'rename',
        clusterTime: timestamp,
        wallTime: date,
        ns: { db: server.dbName, coll: 'renamed_from' },
        to: { db: server.dbName, coll: 'renamed_to' },
      });
      expect(inv?.operationType).toBe('invalidate');
    });
  });

  describe('fullDocument and fullDocumentBeforeChange', () => {
    it("'updateLookup' gives the document as it is when the event is read (null once deleted)", async () => {
      const coll = db.collection<Row>('lookup');
      await coll.insertOne({ _id: 1, v: 1 });
      const cs = coll.watch<Document, Event>([], { fullDocument: 'updateLookup', maxAwaitTimeMS: 100 });
      try {
        expect(await cs.tryNext()).toBeNull(); // open, nothing yet
        await coll.updateOne({ _id: 1 }, { $set: { v: 2 } });
        await coll.updateOne({ _id: 1 }, { $set: { v: 3 } });
        // Both events are read in one batch, after both updates: both show the latest version.
        expect(await cs.next()).toMatchObject({ operationType: 'update', updateDescription: { updatedFields: { v: 2 } }, fullDocument: { _id: 1, v: 3 } });
        expect(await cs.next()).toMatchObject({ operationType: 'update', updateDescription: { updatedFields: { v: 3 } }, fullDocument: { _id: 1, v: 3 } });
        await coll.updateOne({ _id: 1 }, { $set: { v: 4 } });
        await coll.deleteOne({ _id: 1 });
        expect(await cs.next()).toMatchObject({ operationType: 'update', updateDescription: { updatedFields: { v: 4 } }, fullDocument: null });
        expect(await cs.next()).toMatchObject({ operationType: 'delete' });
      } finally {
        await cs.close();
      }
    });

    it('post- and pre-images need changeStreamPreAndPostImages; without it, null or error 47', async () => {
      const plain = db.collection<Row>('no_images');
      await plain.insertOne({ _id: 1, v: 1 });
      const [lenient] = await eventsOf(plain, [], { fullDocument: 'whenAvailable', fullDocumentBeforeChange: 'whenAvailable' }, 1, async () => {
        await plain.updateOne({ _id: 1 }, { $set: { v: 2 } });
      });
      expect(lenient).toMatchObject({ operationType: 'update', fullDocument: null, fullDocumentBeforeChange: null });

      const strict = await Collector.start(plain.watch<Document, Event>([], { fullDocument: 'required' }));
      await plain.updateOne({ _id: 1 }, { $set: { v: 3 } });
      const err = await strict.failure();
      expect(err).toBeInstanceOf(MongoServerError);
      expect((err as MongoServerError).code).toBe(47);

      const kept = await db.createCollection<Row>('with_images', { changeStreamPreAndPostImages: { enabled: true } });
      await kept.insertOne({ _id: 1, v: 1 });
      const events = await eventsOf(kept, [], { fullDocument: 'required', fullDocumentBeforeChange: 'required' }, 3, async () => {
        await kept.updateOne({ _id: 1 }, { $set: { v: 2 } });
        await kept.updateOne({ _id: 1 }, { $set: { v: 3 } });
        await kept.deleteOne({ _id: 1 });
      });
      expect(events[0]).toMatchObject({ operationType: 'update', fullDocument: { _id: 1, v: 2 }, fullDocumentBeforeChange: { _id: 1, v: 1 } });
      expect(events[1]).toMatchObject({ operationType: 'update', fullDocument: { _id: 1, v: 3 }, fullDocumentBeforeChange: { _id: 1, v: 2 } });
      expect(events[2]).toMatchObject({ operationType: 'delete', fullDocumentBeforeChange: { _id: 1, v: 3 } });
      expect(events[2]).not.toHaveProperty('fullDocument');

      const info = await db.listCollections({ name: 'with_images' }).toArray();
      expect((info[0] as Document | undefined)?.options).toMatchObject({ changeStreamPreAndPostImages: { enabled: true } });
      await db.command({ collMod: 'with_images', changeStreamPreAndPostImages: { enabled: false } });
      const after = await db.listCollections({ name: 'with_images' }).toArray();
      expect((after[0] as Document | undefined)?.options?.changeStreamPreAndPostImages).toBeUndefined();
    });
  });

  describe('pipeline stages after $changeStream', () => {
    it('$match on operationType, fullDocument fields and documentKey', async () => {
      const coll = db.collection<Row>('matched');
      const events = await eventsOf(coll, [{ $match: { operationType: 'insert', 'fullDocument.kind': 'login' } }], {}, 2, async () => {
        await coll.insertOne({ _id: 1, kind: 'logout' });
        await coll.insertOne({ _id: 2, kind: 'login' });
        await coll.updateOne({ _id: 2 }, { $set: { kind: 'login', at: 1 } });
        await coll.insertOne({ _id: 3, kind: 'login' });
      });
      expect(events.map((e) => e.documentKey._id)).toEqual([2, 3]);

      const byKey = await eventsOf(coll, [{ $match: { 'documentKey._id': 3, operationType: { $in: ['update', 'delete'] } } }], {}, 2, async () => {
        await coll.updateOne({ _id: 2 }, { $set: { at: 2 } });
        await coll.updateOne({ _id: 3 }, { $set: { at: 2 } });
        await coll.deleteOne({ _id: 3 });
      });
      expect(byKey.map((e) => e.operationType)).toEqual(['update', 'delete']);
    });

    it('$project shapes events but must keep _id (280); other stages are refused (20)', async () => {
      const coll = db.collection<Row>('projected');
      const [slim] = await eventsOf(coll, [{ $project: { operationType: 1, 'fullDocument.a': 1 } }], {}, 1, async () => {
        await coll.insertOne({ _id: 1, a: 1, b: 2 });
      });
      expect(slim).toEqual({ _id: token, operationType: 'insert', fullDocument: { a: 1 } });

      const tokenless = await Collector.start(coll.watch([{ $project: { _id: 0 } }]));
      await coll.insertOne({ _id: 2 });
      expect(((await tokenless.failure()) as MongoServerError).code).toBe(280);

      const grouped = coll.watch([{ $group: { _id: '$operationType' } }]);
      expect((await failure(grouped.next())).code).toBe(20);
    });
  });

  describe('resuming', () => {
    it('resumeAfter an event token gives the events after it, nothing lost or repeated', async () => {
      const coll = db.collection<Row>('resume_after');
      const first = await eventsOf(coll, [], {}, 1, async () => {
        await coll.insertMany([{ _id: 1 }, { _id: 2 }, { _id: 3 }]);
      });
      const rest = await Collector.start(coll.watch<Document, Event>([], { resumeAfter: first[0]?._id }));
      expect((await rest.take(2)).map((e) => e.documentKey._id)).toEqual([2, 3]);
      await coll.insertOne({ _id: 4 });
      expect((await rest.take(1))[0]).toMatchObject({ documentKey: { _id: 4 } });
      await rest.close();
    });

    it('startAtOperationTime includes the operation at that time', async () => {
      const coll = db.collection<Row>('start_at');
      const session = client.startSession();
      try {
        await coll.insertOne({ _id: 'before' });
        await coll.insertOne({ _id: 'at' }, { session });
        const at = session.operationTime as Timestamp;
        await coll.insertOne({ _id: 'after' });
        const c = await Collector.start(coll.watch<Document, Event>([], { startAtOperationTime: at }));
        expect((await c.take(2)).map((e) => e.documentKey._id)).toEqual(['at', 'after']);
        await c.close();
      } finally {
        await session.endSession();
      }
    });

    it('the postBatchResumeToken of an empty batch resumes after everything already scanned', async () => {
      const coll = db.collection<Row>('pbrt');
      await coll.insertOne({ _id: 'old' });
      const cs = coll.watch([], { maxAwaitTimeMS: 100 });
      expect(await cs.tryNext()).toBeNull();
      const resumeToken = cs.resumeToken;
      expect(resumeToken).toEqual(token);
      await cs.close();
      await coll.insertOne({ _id: 'new' });
      const c = await Collector.start(coll.watch<Document, Event>([], { resumeAfter: resumeToken }));
      expect((await c.take(1))[0]).toMatchObject({ operationType: 'insert', documentKey: { _id: 'new' } });
      await c.close();
    });

    it('startAfter an invalidate continues on the new collection; resumeAfter it is refused (260)', async () => {
      const coll = db.collection<Row>('reborn');
      await coll.insertOne({ _id: 1 });
      const c = await Collector.start(coll.watch<Document, Event>());
      await coll.drop();
      const [, invalidate] = await c.take(2);
      expect(invalidate?.operationType).toBe('invalidate');
      await coll.insertOne({ _id: 2 });
      const again = await Collector.start(coll.watch<Document, Event>([], { startAfter: invalidate?._id }));
      expect((await again.take(1))[0]).toMatchObject({ operationType: 'insert', documentKey: { _id: 2 } });
      await again.close();
      expect((await failure(coll.watch([], { resumeAfter: invalidate?._id }).next())).code).toBe(260);
    });

    it('resumes by itself after its connection drops (the driver reopens with its last token)', async () => {
      const { host, port } = firstHost(server.uri);
      const proxy = await startProxy(host, port);
      const watcher = new MongoClient(throughProxy(server.uri, proxy.port), { serverSelectionTimeoutMS: 10_000, monitorCommands: true });
      const opened: Document[] = [];
      watcher.on('commandStarted', (e) => {
        if (e.commandName === 'aggregate') opened.push(e.command);
      });
      try {
        const coll = db.collection<Row>('dropped_connection');
        const c = await Collector.start(watcher.db(server.dbName).collection<Row>('dropped_connection').watch<Document, Event>([], { maxAwaitTimeMS: 200 }));
        await coll.insertOne({ _id: 1 });
        expect((await c.take(1))[0]).toMatchObject({ documentKey: { _id: 1 } });
        // Cut while a getMore is waiting, and write while the stream is away.
        await sleep(50);
        proxy.cut();
        await coll.insertMany([{ _id: 2 }, { _id: 3 }]);
        await sleep(100);
        proxy.cut();
        await coll.insertOne({ _id: 4 });
        const ids = (await c.take(3)).map((e) => e.documentKey._id);
        expect(ids).toEqual([2, 3, 4]);
        await coll.insertOne({ _id: 5 });
        expect((await c.take(1))[0]).toMatchObject({ documentKey: { _id: 5 } });
        expect(c.error).toBeUndefined();
        // Reopened (at least once) with the token of the last event it had seen.
        expect(opened.length).toBeGreaterThanOrEqual(2);
        expect(opened.slice(1).every((cmd) => (cmd.pipeline as Document[])[0]?.$changeStream?.resumeAfter !== undefined)).toBe(true);
        await c.close();
      } finally {
        await watcher.close();
        await proxy.close();
      }
    });
  });

  describe('awaiting getMore', () => {
    it('an empty getMore answers after maxAwaitTimeMS with an empty batch', async () => {
      const cs = db.collection<Row>('idle').watch([], { maxAwaitTimeMS: 400 });
      try {
        expect(await cs.tryNext()).toBeNull(); // opens the stream
        const started = performance.now();
        expect(await cs.tryNext()).toBeNull();
        const waited = performance.now() - started;
        expect(waited).toBeGreaterThanOrEqual(350);
        expect(waited).toBeLessThan(5000);
      } finally {
        await cs.close();
      }
    });

    it('a waiting getMore answers as soon as an event arrives and holds up no other operation', async () => {
      const coll = db.collection<Row>('waiting');
      const stream = coll.watch<Document, Event>([], { maxAwaitTimeMS: 20_000 });
      const order: string[] = [];
      const c = await Collector.start(stream);
      await sleep(100); // a getMore is now waiting on the server
      const started = performance.now();
      await coll.findOne({});
      order.push('read');
      await coll.insertOne({ _id: 1 });
      const [event] = await c.take(1);
      order.push('event');
      expect(event).toMatchObject({ operationType: 'insert' });
      expect(performance.now() - started).toBeLessThan(10_000);
      expect(order).toEqual(['read', 'event']);
      await c.close();
    });

    it('closing the stream or the client ends a waiting getMore', async () => {
      const own = new MongoClient(server.uri);
      try {
        const cs = own.db(server.dbName).collection<Row>('closing').watch([], { maxAwaitTimeMS: 30_000 });
        const c = await Collector.start(cs);
        await sleep(100);
        let started = performance.now();
        await c.close();
        expect(await c.failure(10_000)).toBeDefined();
        expect(performance.now() - started).toBeLessThan(5000);

        const c2 = await Collector.start(own.db(server.dbName).collection<Row>('closing').watch([], { maxAwaitTimeMS: 30_000 }));
        await sleep(100);
        started = performance.now();
        await own.close();
        expect(await c2.failure(10_000)).toBeDefined();
        expect(performance.now() - started).toBeLessThan(5000);
      } finally {
        await own.close();
      }
    });
  });

  describe('database and deployment streams', () => {
    it('db.watch() sees every collection of the database, then dropDatabase and invalidate', async () => {
      const other = client.db(`${server.dbName}_w`);
      try {
        const c = await Collector.start(other.watch<Document, Event>());
        await other.collection<Row>('a').insertOne({ _id: 1 });
        await other.collection<Row>('b').insertOne({ _id: 1 });
        await db.collection<Row>('elsewhere').insertOne({ _id: 1 });
        const [a, b] = await c.take(2);
        expect(a).toMatchObject({ operationType: 'insert', ns: { db: other.databaseName, coll: 'a' } });
        expect(b).toMatchObject({ operationType: 'insert', ns: { db: other.databaseName, coll: 'b' } });
        await other.dropDatabase();
        const tail = await c.take(4);
        expect(tail.map((e) => e.operationType)).toEqual(['drop', 'drop', 'dropDatabase', 'invalidate']);
        expect(tail[2]).toEqual({ _id: token, operationType: 'dropDatabase', clusterTime: timestamp, wallTime: date, ns: { db: other.databaseName } });
      } finally {
        await other.dropDatabase();
      }
    });

    it('client.watch() sees every database', async () => {
      const c = await Collector.start(client.watch<Document, Event>([{ $match: { 'ns.coll': 'cluster_wide' } }]));
      await client.db(`${server.dbName}_x`).collection<Row>('cluster_wide').insertOne({ _id: 1 });
      await db.collection<Row>('cluster_wide').insertOne({ _id: 2 });
      const events = await c.take(2);
      expect(events.map((e) => e.ns.db)).toEqual([`${server.dbName}_x`, server.dbName]);
      await c.close();
      await client.db(`${server.dbName}_x`).dropDatabase();
    });
  });

  it("refuses malformed $changeStream requests with MongoDB's codes", async () => {
    const coll = db.collection<Row>('refusals');
    await coll.insertOne({ _id: 1 });
    const [event] = await eventsOf(coll, [], {}, 1, async () => {
      await coll.insertOne({ _id: 2 });
    });
    const resumeToken = event?._id as Document;
    const opTime = event?.clusterTime as Timestamp;
    expect((await failure(coll.aggregate([{ $match: {} }, { $changeStream: {} }]).toArray())).code).toBe(40602);
    expect((await failure(coll.watch([], { resumeAfter: resumeToken, startAfter: resumeToken }).next())).code).toBe(50865);
    expect((await failure(coll.watch([], { resumeAfter: resumeToken, startAtOperationTime: opTime }).next())).code).toBe(40674);
    expect((await failure(coll.watch([], { resumeAfter: { _data: 1 } }).next())).code).toBe(40647);
    expect((await failure(coll.watch([], { fullDocument: 'everything' }).next())).code).toBe(2);
    expect((await failure(client.db('admin').collection('anything').watch().next())).code).toBe(73);
  });

  it('a retried write (same session and txnNumber) is applied once', async () => {
    const coll = db.collection<Row>('retried');
    // A client of its own: pooled server sessions carry the txnNumbers other tests used.
    const own = new MongoClient(server.uri);
    const session = own.startSession();
    const ownDb = own.db(server.dbName);
    try {
      const insert = { insert: 'retried', documents: [{ _id: 1, n: 1 }], txnNumber: Long.fromNumber(7) };
      const first = await ownDb.command(insert, { session });
      const retry = await ownDb.command(insert, { session });
      expect(first).toMatchObject({ n: 1, ok: 1 });
      expect(retry).toMatchObject({ n: 1, ok: 1 });
      expect(retry.writeErrors).toBeUndefined();
      const inc = { update: 'retried', updates: [{ q: { _id: 1 }, u: { $inc: { n: 1 } } }], txnNumber: Long.fromNumber(8) };
      await ownDb.command(inc, { session });
      await ownDb.command(inc, { session });
      expect(await coll.findOne({ _id: 1 })).toEqual({ _id: 1, n: 2 });
    } finally {
      await session.endSession();
      await own.close();
    }
  });

  describe('mongoose', () => {
    it('Model.watch() with updateLookup: inserts, saves and deletes of documents', async () => {
      const conn = await mongoose.createConnection(server.uri).asPromise();
      try {
        const Device = conn.model('Device', new mongoose.Schema({ name: String, trusted: Boolean, seenAt: Date }));
        await Device.createCollection();
        const stream = Device.watch([{ $match: { operationType: { $in: ['insert', 'update', 'delete'] } } }], { fullDocument: 'updateLookup' });
        const events: Event[] = [];
        stream.on('change', (e: Event) => events.push(e));
        await new Promise<void>((resolve, reject) => {
          stream.once('resumeTokenChanged', () => resolve());
          stream.once('error', reject);
        });
        const device = await Device.create({ name: 'laptop', trusted: false });
        device.trusted = true;
        await device.save();
        await Device.deleteOne({ _id: device._id });
        const deadline = Date.now() + 10_000;
        while (events.length < 3 && Date.now() < deadline) await sleep(20);
        expect(events.map((e) => e.operationType)).toEqual(['insert', 'update', 'delete']);
        expect(events[0]).toMatchObject({ fullDocument: { name: 'laptop', trusted: false }, documentKey: { _id: device._id } });
        expect(events[1]).toMatchObject({ updateDescription: { updatedFields: { trusted: true }, removedFields: [] }, documentKey: { _id: device._id } });
        // Looked up after the delete: the document is gone.
        expect(events[1]?.fullDocument === null || (events[1]?.fullDocument as { trusted?: boolean } | undefined)?.trusted === true).toBe(true);
        await stream.close();
      } finally {
        await conn.close();
      }
    });
  });
});
