/**
 * MongoDB's document limits — 100 levels of nesting for stored documents, 16 MiB per
 * document — with MongoDB's error codes; a request beyond them fails alone while the server
 * keeps serving. Connection and message caps are engine settings (engine-only tests).
 */
import net from 'node:net';
import { beforeEach, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import type { Collection, Document } from 'mongodb';
import { useDatabase, quietLogger, realMongo } from './server';
import { start } from '../src/index';

const mongo = useDatabase('limits');
/** Test documents use numeric `_id`s. */
interface Loose {
  _id: number;
  [key: string]: unknown;
}

let coll: Collection<Loose>;
let n = 0;

/** A document whose deepest field (`v`) sits at level `levels` (top-level fields are level 1). */
function nested(levels: number): Document {
  let d: Document = { v: 1 };
  for (let i = 1; i < levels; i++) d = { a: d };
  return d;
}

const MiB = 1024 * 1024;

beforeEach(() => {
  coll = mongo.db.collection<Loose>(`c${++n}`);
});

describe('S40: nesting depth', () => {
  it('S40: an insert may nest 100 levels, not 101 (Overflow, 45)', async () => {
    await coll.insertOne({ _id: 1, ...nested(100) });
    await expect(coll.insertOne({ _id: 2, ...nested(101) })).rejects.toMatchObject({ code: 45 });
    await coll.insertOne({ _id: 3, list: [nested(98)] }); // the array is a level too
    await expect(coll.insertOne({ _id: 4, list: [nested(99)] })).rejects.toMatchObject({ code: 45 });
    expect((await coll.find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id)).toEqual([1, 3]);
  });

  it('S40: an update may not nest a document past 100 levels (Overflow, 45)', async () => {
    await coll.insertOne({ _id: 1 });
    const path = (segments: number): string => Array.from({ length: segments }, () => 'a').join('.');
    await coll.updateOne({ _id: 1 }, { $set: { [path(100)]: 1 } });
    await expect(coll.updateOne({ _id: 1 }, { $set: { [path(100)]: { x: 1 } } })).rejects.toMatchObject({ code: 45 });
    await expect(coll.updateOne({ _id: 1 }, { $set: { b: nested(100) } })).rejects.toMatchObject({ code: 45 });
    await expect(coll.replaceOne({ _id: 1 }, { b: nested(100) })).rejects.toMatchObject({ code: 45 });
    await expect(coll.updateOne({ _id: 2 }, { $set: { b: nested(100) } }, { upsert: true })).rejects.toMatchObject({ code: 45 });
    expect(await coll.countDocuments({})).toBe(1);
  });

  it('S40: a 200,000-level document fails alone: the server keeps answering, counts and sorts still work', async () => {
    await coll.insertMany([
      { _id: 1, k: 2 },
      { _id: 2, k: 1 },
    ]);
    const other = new MongoClient(mongo.server.uri);
    await other.connect();
    try {
      const pings = (async () => {
        for (let i = 0; i < 5; i++) expect((await other.db('admin').command({ ping: 1 })).ok).toBe(1);
      })();
      await expect(coll.insertOne({ _id: 3, ...nested(200_000) })).rejects.toThrow();
      await expect(coll.updateOne({ _id: 1 }, { $set: { deep: nested(200_000) } })).rejects.toThrow();
      await expect(coll.countDocuments({ deep: nested(200_000) })).rejects.toThrow();
      await pings;
      expect(await coll.countDocuments({})).toBe(2);
      expect((await coll.find({}).sort({ k: 1 }).toArray()).map((d) => d._id)).toEqual([2, 1]);
      expect((await other.db(mongo.server.dbName).collection<Loose>(coll.collectionName).findOne({ _id: 1 }))?.k).toBe(2);
    } finally {
      await other.close();
    }
  });
});

describe('S40: 16 MiB per document', () => {
  it('S40: an update whose result exceeds 16 MiB fails with BSONObjectTooLarge (10334); the document is unchanged', async () => {
    await coll.insertOne({ _id: 1, a: 'x'.repeat(9 * MiB) });
    const err = await coll.updateOne({ _id: 1 }, { $set: { b: 'y'.repeat(9 * MiB) } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 10334 });
    expect(String((err as Error).message)).toContain('16777216');
    const d = await coll.findOne({ _id: 1 });
    expect(d?.b).toBeUndefined();
    expect((d?.a as string).length).toBe(9 * MiB);
  });

  it('S40: an insert command carrying a document over 16 MiB gets a BSONObjectTooLarge (10334) write error', async () => {
    const big = { _id: 1, s: 'x'.repeat(16 * MiB) };
    const reply = await mongo.db.command({ insert: coll.collectionName, documents: [big, { _id: 2 }], ordered: false }).catch((e: unknown) => e);
    expect(reply).toMatchObject({ n: 1, writeErrors: [{ index: 0, code: 10334 }] });
    expect(await coll.countDocuments({})).toBe(1);
  });
});

describe.skipIf(realMongo)('S40: connection and message caps (engine-only: configured through start())', () => {
  it('S40: connections past maxIncomingConnections are closed on arrival; the others keep working', async () => {
    const engine = await start({ port: 0, logger: quietLogger, maxIncomingConnections: 2 });
    const sockets: net.Socket[] = [];
    const open = (): Promise<'open' | 'closed'> =>
      new Promise((resolve) => {
        const s = net.connect(engine.port, '127.0.0.1');
        sockets.push(s);
        s.on('error', () => undefined);
        s.on('close', () => resolve('closed'));
        s.on('connect', () => setTimeout(() => resolve(s.destroyed ? 'closed' : 'open'), 200));
      });
    try {
      expect(await open()).toBe('open');
      expect(await open()).toBe('open');
      expect(await open()).toBe('closed');
      (sockets[0] as net.Socket).destroy();
      await new Promise((r) => setTimeout(r, 100));
      expect(await open()).toBe('open');
    } finally {
      for (const s of sockets) s.destroy();
      await engine.stop();
    }
  });

  it('S40: maxMessageSizeBytes is advertised in hello and enforced', async () => {
    const engine = await start({ port: 0, logger: quietLogger, maxMessageSizeBytes: 64 * 1024 });
    const c = new MongoClient(engine.uri);
    try {
      const hello = await c.db('admin').command({ hello: 1 });
      expect(hello.maxMessageSizeBytes).toBe(64 * 1024);
      expect(hello.maxBsonObjectSize).toBe(16 * MiB);
      const closed = await new Promise<boolean>((resolve) => {
        const s = net.connect(engine.port, '127.0.0.1', () => {
          const header = Buffer.alloc(16);
          header.writeInt32LE(64 * 1024 + 1, 0);
          s.write(header);
        });
        s.on('error', () => undefined);
        s.on('close', () => resolve(true));
        setTimeout(() => resolve(false), 2000);
      });
      expect(closed).toBe(true);
      expect((await c.db('admin').command({ ping: 1 })).ok).toBe(1);
    } finally {
      await c.close();
      await engine.stop();
    }
  });
});
