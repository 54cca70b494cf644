import { beforeEach, describe, expect, it } from 'vitest';
import { Binary, Decimal128, Double, Int32, Long, MongoServerError, ObjectId, Timestamp } from 'mongodb';
import type { Collection, Document, UpdateFilter } from 'mongodb';
import { useDatabase } from './server';

const mongo = useDatabase('crud');
let coll: Collection<Document>;
let n = 0;
const u = (x: Document): UpdateFilter<Document> => x as UpdateFilter<Document>;

beforeEach(() => {
  coll = mongo.db.collection(`c${++n}`);
});

describe('insert / find / update / delete', () => {
  it('inserts and finds documents, _id first, generated ObjectId', async () => {
    const r = await coll.insertOne({ name: 'a', _id: undefined } as Document);
    expect(r.insertedId).toBeInstanceOf(ObjectId);
    await coll.insertMany([{ name: 'b' }, { name: 'c' }]);
    const docs = await coll.find({}).sort({ name: 1 }).toArray();
    expect(docs.map((d) => d.name)).toEqual(['a', 'b', 'c']);
    expect(Object.keys(docs[0] as Document)[0]).toBe('_id');
    const withId = await coll.insertOne({ x: 1, _id: 'custom' } as Document);
    expect(withId.insertedId).toBe('custom');
    const raw = await coll.findOne({ _id: 'custom' } as Document);
    expect(Object.keys(raw as Document)).toEqual(['_id', 'x']);
  });

  it('update operators: $set $unset $inc $push $pull $addToSet $min $max $rename $currentDate $mul $pop', async () => {
    await coll.insertOne({ _id: 1, a: 1, b: 'x', arr: [1, 2, 3], set: ['a'], lo: 5, hi: 5, old: 'o', nested: { k: 1 } } as Document);
    const before = Date.now();
    const r = await coll.updateOne(
      { _id: 1 } as Document,
      u({
        $set: { 'nested.k': 2, 'nested.j': 3, created: 'now' },
        $unset: { b: '' },
        $inc: { a: 2, fresh: 1 },
        $push: { arr: 4 },
        $addToSet: { set: { $each: ['a', 'b'] } },
        $min: { lo: 3 },
        $max: { hi: 9 },
        $rename: { old: 'renamed' },
        $currentDate: { touched: true },
      }),
    );
    expect(r.matchedCount).toBe(1);
    expect(r.modifiedCount).toBe(1);
    let d = (await coll.findOne({ _id: 1 } as Document)) as Document;
    expect(d).toMatchObject({ a: 3, fresh: 1, arr: [1, 2, 3, 4], set: ['a', 'b'], lo: 3, hi: 9, renamed: 'o', nested: { k: 2, j: 3 } });
    expect(d.b).toBeUndefined();
    expect(d.old).toBeUndefined();
    expect(d.touched).toBeInstanceOf(Date);
    expect((d.touched as Date).getTime()).toBeGreaterThanOrEqual(before - 1000);
    await coll.updateOne({ _id: 1 } as Document, u({ $pull: { arr: { $gte: 3 } }, $mul: { a: 2 }, $pop: { set: -1 } }));
    d = (await coll.findOne({ _id: 1 } as Document)) as Document;
    expect(d.arr).toEqual([1, 2]);
    expect(d.a).toBe(6);
    expect(d.set).toEqual(['b']);
    await coll.updateOne({ _id: 1 } as Document, u({ $push: { arr: { $each: [9, 0], $sort: 1, $slice: 3 } } }));
    d = (await coll.findOne({ _id: 1 } as Document)) as Document;
    expect(d.arr).toEqual([0, 1, 2]);
  });

  it('nModified is 0 for a no-op update, and an unchanged _id in $set is accepted', async () => {
    await coll.insertOne({ _id: 'k', v: 1 } as Document);
    const r = await coll.updateOne({ _id: 'k' } as Document, { $set: { _id: 'k', v: 1 } });
    expect(r.matchedCount).toBe(1);
    expect(r.modifiedCount).toBe(0);
    await expect(coll.updateOne({ _id: 'k' } as Document, { $set: { _id: 'other' } })).rejects.toMatchObject({ code: 66 });
  });

  it('upserts: seed from filter equality, $setOnInsert only on insert, upsertedId', async () => {
    const r1 = await coll.updateOne({ email: 'a@x', 'profile.tier': 'gold' }, { $set: { n: 1 }, $setOnInsert: { created: 1 } }, { upsert: true });
    expect(r1.upsertedCount).toBe(1);
    expect(r1.upsertedId).toBeInstanceOf(ObjectId);
    const r2 = await coll.updateOne({ email: 'a@x' }, { $set: { n: 2 }, $setOnInsert: { created: 2 } }, { upsert: true });
    expect(r2.upsertedCount).toBe(0);
    expect(r2.matchedCount).toBe(1);
    const d = await coll.findOne({ email: 'a@x' }, { projection: { _id: 0 } });
    expect(d).toEqual({ email: 'a@x', profile: { tier: 'gold' }, n: 2, created: 1 });
    const r3 = await coll.updateOne({ _id: 'sid' } as Document, { $set: { _id: 'sid', v: 1 } }, { upsert: true });
    expect(r3.upsertedId).toBe('sid');
    const rep = await coll.replaceOne({ _id: 'r' } as Document, { v: 5 }, { upsert: true });
    expect(rep.upsertedId).toBe('r');
    expect(await coll.findOne({ _id: 'r' } as Document)).toEqual({ _id: 'r', v: 5 });
  });

  it('updateMany / deleteOne / deleteMany / replaceOne', async () => {
    await coll.insertMany([
      { g: 1, v: 1 },
      { g: 1, v: 2 },
      { g: 2, v: 3 },
    ]);
    expect((await coll.updateMany({ g: 1 }, { $inc: { v: 10 } })).modifiedCount).toBe(2);
    expect((await coll.find({ v: { $gt: 10 } }).toArray()).length).toBe(2);
    expect((await coll.deleteOne({ g: 1 })).deletedCount).toBe(1);
    expect((await coll.deleteMany({})).deletedCount).toBe(2);
    expect(await coll.countDocuments()).toBe(0);
  });

  it('findOneAndUpdate / findOneAndDelete / findOneAndReplace', async () => {
    await coll.insertMany([
      { k: 1, v: 'a' },
      { k: 2, v: 'b' },
    ]);
    const before = await coll.findOneAndUpdate({ k: 1 }, { $set: { v: 'A' } });
    expect(before?.v).toBe('a');
    const after = await coll.findOneAndUpdate({ k: 1 }, { $set: { v: 'AA' } }, { returnDocument: 'after', projection: { v: 1, _id: 0 } });
    expect(after).toEqual({ v: 'AA' });
    const up = await coll.findOneAndUpdate({ k: 3 }, { $set: { v: 'c' } }, { upsert: true, returnDocument: 'after', includeResultMetadata: true });
    expect(up.lastErrorObject?.updatedExisting).toBe(false);
    expect(up.value?.v).toBe('c');
    const del = await coll.findOneAndDelete({ k: 2 });
    expect(del?.v).toBe('b');
    const rep = await coll.findOneAndReplace({ k: 1 }, { k: 1, replaced: true }, { returnDocument: 'after' });
    expect(rep?.replaced).toBe(true);
    expect(await coll.findOneAndDelete({ k: 99 })).toBeNull();
  });
});

describe('query operators', () => {
  beforeEach(async () => {
    await coll.insertMany([
      {
        _id: 1,
        n: 1,
        s: 'apple',
        tags: ['a', 'b'],
        sub: { x: 1 },
        items: [
          { p: 1, q: 'x' },
          { p: 5, q: 'y' },
        ],
      },
      { _id: 2, n: 2, s: 'banana', tags: ['b'], sub: { x: 2 }, items: [{ p: 2, q: 'x' }] },
      { _id: 3, n: 3, s: 'cherry', tags: [], sub: { x: 3 }, nul: null },
      { _id: 4, n: 4, s: 'Apricot', extra: true },
    ] as Document[]);
  });
  const ids = async (filter: Document): Promise<unknown[]> => (await coll.find(filter).sort({ _id: 1 }).toArray()).map((d) => d._id);

  it('comparison', async () => {
    expect(await ids({ n: { $eq: 2 } })).toEqual([2]);
    expect(await ids({ n: { $ne: 2 } })).toEqual([1, 3, 4]);
    expect(await ids({ n: { $gt: 2 } })).toEqual([3, 4]);
    expect(await ids({ n: { $gte: 2, $lt: 4 } })).toEqual([2, 3]);
    expect(await ids({ n: { $lte: 1 } })).toEqual([1]);
    expect(await ids({ n: { $in: [1, 4, 9] } })).toEqual([1, 4]);
    expect(await ids({ n: { $nin: [1, 4] } })).toEqual([2, 3]);
    expect(await ids({ s: { $gt: 'b' } })).toEqual([2, 3]);
    expect(await ids({ n: { $gt: '1' } })).toEqual([]);
  });

  it('logical, $exists, $not, $regex', async () => {
    expect(await ids({ $and: [{ n: { $gt: 1 } }, { n: { $lt: 4 } }] })).toEqual([2, 3]);
    expect(await ids({ $or: [{ n: 1 }, { s: 'cherry' }] })).toEqual([1, 3]);
    expect(await ids({ $nor: [{ n: 1 }, { s: 'cherry' }] })).toEqual([2, 4]);
    expect(await ids({ extra: { $exists: true } })).toEqual([4]);
    expect(await ids({ extra: { $exists: false } })).toEqual([1, 2, 3]);
    expect(await ids({ nul: null })).toEqual([1, 2, 3, 4]);
    expect(await ids({ nul: { $exists: true } })).toEqual([3]);
    expect(await ids({ n: { $not: { $gt: 2 } } })).toEqual([1, 2]);
    expect(await ids({ s: { $regex: '^ap', $options: 'i' } })).toEqual([1, 4]);
    expect(await ids({ s: /an/ })).toEqual([2]);
    expect(await ids({ s: { $not: /^a/i } })).toEqual([2, 3]);
    expect(await ids({ s: { $in: [/^c/, 'banana'] } })).toEqual([2, 3]);
  });

  it('arrays: equality on elements, $all, $size, $elemMatch, dotted paths into arrays', async () => {
    expect(await ids({ tags: 'b' })).toEqual([1, 2]);
    expect(await ids({ tags: ['b'] })).toEqual([2]);
    expect(await ids({ tags: { $all: ['a', 'b'] } })).toEqual([1]);
    expect(await ids({ tags: { $size: 0 } })).toEqual([3]);
    expect(await ids({ tags: { $size: 2 } })).toEqual([1]);
    expect(await ids({ items: { $elemMatch: { p: { $gt: 1 }, q: 'x' } } })).toEqual([2]);
    expect(await ids({ 'items.p': 5 })).toEqual([1]);
    expect(await ids({ 'items.q': 'x' })).toEqual([1, 2]);
    expect(await ids({ 'items.0.p': 2 })).toEqual([2]);
    expect(await ids({ 'sub.x': { $gte: 2 } })).toEqual([2, 3]);
    expect(await ids({ sub: { x: 1 } })).toEqual([1]);
    expect(await ids({ tags: { $elemMatch: { $eq: 'a' } } })).toEqual([1]);
  });

  it('unknown query operator is a BadValue error naming it', async () => {
    const err = await coll.findOne({ n: { $bogus: 1 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MongoServerError);
    expect((err as MongoServerError).code).toBe(2);
    expect((err as MongoServerError).message).toContain('$bogus');
  });
});

describe('sort / skip / limit / projection / cursors', () => {
  beforeEach(async () => {
    await coll.insertMany(Array.from({ length: 25 }, (_, i) => ({ i, even: i % 2 === 0, name: `n${String(i).padStart(2, '0')}`, deep: { a: i, b: 'x' } })));
  });

  it('sorts, skips, limits and projects', async () => {
    const docs = await coll
      .find({ even: true }, { projection: { i: 1, _id: 0 } })
      .sort({ i: -1 })
      .skip(2)
      .limit(3)
      .toArray();
    expect(docs).toEqual([{ i: 20 }, { i: 18 }, { i: 16 }]);
    const ex = await coll.findOne({ i: 3 }, { projection: { deep: 0, _id: 0, name: 0 } });
    expect(ex).toEqual({ i: 3, even: false });
    const dotted = await coll.findOne({ i: 4 }, { projection: { 'deep.a': 1 } });
    expect(Object.keys(dotted as Document)).toEqual(['_id', 'deep']);
    expect((dotted as Document).deep).toEqual({ a: 4 });
    const multi = await coll.find({}).sort({ even: 1, i: -1 }).limit(2).toArray();
    expect(multi.map((d) => d.i)).toEqual([23, 21]);
  });

  it('iterates a cursor over several batches, then kills one', async () => {
    const cursor = coll.find({}).sort({ i: 1 }).batchSize(4);
    const seen: number[] = [];
    for await (const d of cursor) seen.push(d.i as number);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => i));
    const c2 = coll.find({}).batchSize(2);
    await c2.next();
    expect(c2.id?.isZero()).toBe(false);
    await c2.close();
    const killed = await mongo.db.command({ killCursors: coll.collectionName, cursors: [Long.fromNumber(123456789)] });
    expect(killed.cursorsNotFound.length).toBe(1);
    const gm = await mongo.db.command({ getMore: Long.fromNumber(987654321), collection: coll.collectionName }).catch((e: unknown) => e);
    expect((gm as MongoServerError).code).toBe(43);
  });

  it('count, countDocuments, estimatedDocumentCount, distinct', async () => {
    expect(await coll.countDocuments({ even: true })).toBe(13);
    expect(await coll.countDocuments({}, { skip: 20 })).toBe(5);
    expect(await coll.estimatedDocumentCount()).toBe(25);
    expect((await coll.distinct('even')).sort()).toEqual([false, true]);
    expect(await coll.distinct('deep.b')).toEqual(['x']);
  });

  it('aggregate: $match $group $sort $limit $skip $project $count $unwind', async () => {
    const g = await coll
      .aggregate([{ $match: { i: { $lt: 10 } } }, { $group: { _id: '$even', total: { $sum: '$i' }, n: { $sum: 1 } } }, { $sort: { _id: 1 } }])
      .toArray();
    expect(g).toEqual([
      { _id: false, total: 25, n: 5 },
      { _id: true, total: 20, n: 5 },
    ]);
    const p = await coll
      .aggregate([{ $sort: { i: -1 } }, { $skip: 1 }, { $limit: 2 }, { $project: { _id: 0, i: 1, twice: { $multiply: ['$i', 2] } } }])
      .toArray();
    expect(p).toEqual([
      { i: 23, twice: 46 },
      { i: 22, twice: 44 },
    ]);
    expect(await coll.aggregate([{ $match: { even: true } }, { $count: 'c' }]).toArray()).toEqual([{ c: 13 }]);
    await coll.insertOne({ arr: [1, 2, 3] });
    const u = await coll.aggregate([{ $match: { arr: { $exists: true } } }, { $unwind: '$arr' }, { $project: { _id: 0, arr: 1 } }]).toArray();
    expect(u).toEqual([{ arr: 1 }, { arr: 2 }, { arr: 3 }]);
    const batches = await coll.aggregate([{ $sort: { i: 1 } }], { batchSize: 3 }).toArray();
    expect(batches.length).toBe(26);
  });

  it('unknown aggregation stage -> ok:0 naming it', async () => {
    const err = await coll
      .aggregate([{ $frobnicate: {} }])
      .toArray()
      .catch((e: unknown) => e);
    expect((err as MongoServerError).code).toBe(40324);
    expect((err as MongoServerError).message).toContain('$frobnicate');
  });
});

describe('indexes and unique constraints', () => {
  it('creates, lists and drops indexes; createIndex is idempotent', async () => {
    await coll.insertOne({ email: 'a', x: 1 });
    expect(await coll.createIndex({ email: 1 }, { unique: true })).toBe('email_1');
    expect(await coll.createIndex({ email: 1 }, { unique: true })).toBe('email_1');
    await coll.createIndex({ expires: 1 }, { expireAfterSeconds: 0 });
    await coll.createIndex({ 'session.userId': 1 });
    const idx = await coll.listIndexes().toArray();
    expect(idx.map((i) => i.name)).toEqual(['_id_', 'email_1', 'expires_1', 'session.userId_1']);
    expect(idx.find((i) => i.name === 'email_1')?.unique).toBe(true);
    expect(idx.find((i) => i.name === 'expires_1')?.expireAfterSeconds).toBe(0);
    const conflict = await coll.createIndex({ email: 1 }, { name: 'email_1', unique: false }).catch((e: unknown) => e);
    expect([85, 86]).toContain((conflict as MongoServerError).code);
    await coll.dropIndex('session.userId_1');
    expect((await coll.listIndexes().toArray()).length).toBe(3);
    const missing = await coll.dropIndex('nope').catch((e: unknown) => e);
    expect((missing as MongoServerError).code).toBe(27);
    const listMissing = await mongo.db
      .collection('never_created')
      .listIndexes()
      .toArray()
      .catch((e: unknown) => e);
    expect((listMissing as MongoServerError).code).toBe(26);
  });

  it('duplicate key: write error 11000 with keyPattern/keyValue (also compound, also on _id)', async () => {
    await coll.createIndex({ email: 1 }, { unique: true });
    await coll.insertOne({ email: 'a@x' });
    const err = (await coll.insertOne({ email: 'a@x' }).catch((e: unknown) => e)) as MongoServerError;
    expect(err.code).toBe(11000);
    expect(err.keyPattern).toEqual({ email: 1 });
    expect(err.keyValue).toEqual({ email: 'a@x' });
    expect(err.message).toContain('E11000 duplicate key error collection');
    const c2 = mongo.db.collection(`cmp${n}`);
    await c2.createIndex({ a: 1, b: 1 }, { unique: true });
    await c2.insertMany([
      { a: 1, b: 1 },
      { a: 1, b: 2 },
    ]);
    const e2 = (await c2.insertOne({ a: 1, b: 2 }).catch((e: unknown) => e)) as MongoServerError;
    expect(e2.code).toBe(11000);
    expect(e2.keyValue).toEqual({ a: 1, b: 2 });
    const e3 = (await coll.insertOne({ _id: (await coll.findOne({}))?._id } as Document).catch((e: unknown) => e)) as MongoServerError;
    expect(e3.code).toBe(11000);
    expect(e3.keyPattern).toEqual({ _id: 1 });
    const e4 = (await coll.updateOne({ email: { $exists: false } }, { $set: { email: 'a@x' } }, { upsert: true }).catch((e: unknown) => e)) as MongoServerError;
    expect(e4.code).toBe(11000);
  });

  it('ordered insertMany stops at the first duplicate; unordered continues', async () => {
    await coll.createIndex({ k: 1 }, { unique: true });
    const e1 = await coll.insertMany([{ k: 1 }, { k: 1 }, { k: 2 }]).catch((e: unknown) => e);
    expect((e1 as { code: number }).code).toBe(11000);
    expect(await coll.countDocuments()).toBe(1);
    await coll.insertMany([{ k: 1 }, { k: 3 }], { ordered: false }).catch(() => undefined);
    expect(await coll.countDocuments()).toBe(2);
  });

  it('unique index creation fails on existing duplicates', async () => {
    await coll.insertMany([{ d: 1 }, { d: 1 }]);
    const err = await coll.createIndex({ d: 1 }, { unique: true }).catch((e: unknown) => e);
    expect((err as MongoServerError).code).toBe(11000);
  });
});

describe('collections and databases', () => {
  it('create (48 when it exists), listCollections, drop, listDatabases, dropDatabase', async () => {
    await mongo.db.createCollection(`made${n}`);
    const again = await mongo.db.createCollection(`made${n}`).catch((e: unknown) => e);
    expect((again as MongoServerError).code).toBe(48);
    const names = (await mongo.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(names).toContain(`made${n}`);
    expect(await mongo.db.collection(`made${n}`).drop()).toBe(true);
    expect((await mongo.db.listCollections({ name: `made${n}` }).toArray()).length).toBe(0);
    await mongo.db.collection('keep').insertOne({ a: 1 });
    const dbs = await mongo.client.db('admin').admin().listDatabases();
    expect(dbs.databases.map((d) => d.name)).toContain(mongo.server.dbName);
  });

  it('unsupported command -> ok:0, code 59, naming it', async () => {
    const err = (await mongo.db.command({ frobnicate: 1 }).catch((e: unknown) => e)) as MongoServerError;
    expect(err).toBeInstanceOf(MongoServerError);
    expect(err.code).toBe(59);
    expect(err.message).toContain('frobnicate');
    expect(await mongo.db.command({ ping: 1 })).toMatchObject({ ok: 1 });
    const info = await mongo.db.admin().command({ buildInfo: 1 });
    expect(typeof info.version).toBe('string');
  });
});

describe('BSON types', () => {
  it('round-trips ObjectId, Date, Long, Decimal128, Binary, null, Timestamp, nested arrays', async () => {
    const doc = {
      _id: new ObjectId(),
      date: new Date('2024-02-03T04:05:06.789Z'),
      long: Long.fromString('9007199254740993'),
      smallLong: Long.fromNumber(7),
      dec: Decimal128.fromString('12345.6789'),
      bin: new Binary(Buffer.from([1, 2, 3, 255]), 0),
      uuid: new Binary(Buffer.alloc(16, 7), 4),
      nil: null,
      ts: new Timestamp({ t: 100, i: 2 }),
      dbl: 1.5,
      nested: { arr: [1, 'two', [3], { four: 4 }] },
    };
    await coll.insertOne(doc);
    const raw = mongo.client.db(mongo.server.dbName, { promoteLongs: false }).collection(coll.collectionName);
    const back = (await raw.findOne({ _id: doc._id })) as Document;
    expect(back._id.equals(doc._id)).toBe(true);
    expect(back.date.getTime()).toBe(doc.date.getTime());
    expect(back.long).toBeInstanceOf(Long);
    expect(back.long.toString()).toBe('9007199254740993');
    expect(back.smallLong).toBeInstanceOf(Long);
    expect(back.smallLong.toNumber()).toBe(7);
    expect(back.dec.toString()).toBe('12345.6789');
    expect(Buffer.from(back.bin.buffer).equals(Buffer.from([1, 2, 3, 255]))).toBe(true);
    expect(back.uuid.sub_type).toBe(4);
    expect(back.nil).toBeNull();
    expect(back.ts.equals(doc.ts)).toBe(true);
    expect(back.dbl).toBe(1.5);
    expect(back.nested).toEqual(doc.nested);
    const promoted = (await coll.findOne({ _id: doc._id })) as Document;
    expect(promoted.smallLong).toBe(7);
    const typed = (await mongo.client.db(mongo.server.dbName, { promoteValues: false }).collection(coll.collectionName).findOne({ _id: doc._id })) as Document;
    expect(typed.dbl).toBeInstanceOf(Double);
    expect(typed.smallLong).toBeInstanceOf(Long);
    await coll.insertOne({ _id: 'i32', v: new Int32(5) } as Document);
    expect(await coll.countDocuments({ v: 5 })).toBe(1);
    expect(await coll.countDocuments({ long: { $gt: Long.fromString('9007199254740992') } })).toBe(1);
    expect(await coll.countDocuments({ smallLong: 7 })).toBe(1);
  });

  it('regression: ObjectId and Date order correctly in sort and range queries', async () => {
    const ids = [
      '000000000000000000000001',
      '00000000000000000000000a',
      '0a0000000000000000000000',
      'ff0000000000000000000000',
      '650000000000000000000000',
    ].map((h) => new ObjectId(h));
    const dates = [
      new Date('1969-12-31T00:00:00Z'),
      new Date('2001-01-01T00:00:00Z'),
      new Date('2030-05-05T00:00:00Z'),
      new Date(0),
      new Date('1999-09-09T00:00:00Z'),
    ];
    await coll.insertMany(ids.map((id, i) => ({ _id: id, at: dates[i] })));
    const byId = await coll.find({}).sort({ _id: 1 }).toArray();
    expect(byId.map((d) => d._id.toHexString())).toEqual([
      '000000000000000000000001',
      '00000000000000000000000a',
      '0a0000000000000000000000',
      '650000000000000000000000',
      'ff0000000000000000000000',
    ]);
    const byDate = await coll.find({}).sort({ at: -1 }).toArray();
    expect(byDate.map((d) => (d.at as Date).toISOString().slice(0, 4))).toEqual(['2030', '2001', '1999', '1970', '1969']);
    expect(await coll.countDocuments({ _id: { $gt: new ObjectId('0a0000000000000000000000') } })).toBe(2);
    expect(await coll.countDocuments({ _id: { $lte: new ObjectId('00000000000000000000000a') } })).toBe(2);
    expect(await coll.countDocuments({ at: { $gte: new Date(0), $lt: new Date('2002-01-01T00:00:00Z') } })).toBe(3);
    expect(await coll.countDocuments({ at: { $gt: '2000' } })).toBe(0);
    await coll.insertMany([
      { _id: 'str', at: 'x' },
      { _id: 1, at: 5 },
      { _id: 'nul', at: null },
    ] as Document[]);
    const mixed = await coll.find({}).sort({ at: 1 }).toArray();
    expect(mixed.slice(0, 3).map((d) => d._id)).toEqual(['nul', 1, 'str']);
    expect((mixed[3]?.at as Date).getFullYear()).toBe(1969);
  });
});

describe('aggregation $lookup', () => {
  it('joins another collection of the same database without touching it', async () => {
    const users = mongo.db.collection(`lu_users${n}`);
    const orders = mongo.db.collection(`lu_orders${n}`);
    await users.insertMany([
      { _id: 'u1', name: 'Ann' },
      { _id: 'u2', name: 'Bob' },
    ] as Document[]);
    await orders.insertMany([
      { user: 'u1', total: 5 },
      { user: 'u1', total: 7 },
      { user: 'u2', total: 1 },
    ]);
    const out = await users
      .aggregate([
        { $lookup: { from: orders.collectionName, localField: '_id', foreignField: 'user', as: 'orders' } },
        { $unwind: '$orders' },
        { $set: { 'orders.total': 0 } },
        { $group: { _id: '$_id', n: { $sum: 1 } } },
        { $sort: { _id: 1 } },
      ])
      .toArray();
    expect(out).toEqual([
      { _id: 'u1', n: 2 },
      { _id: 'u2', n: 1 },
    ]);
    expect((await orders.find({}, { projection: { _id: 0, total: 1 } }).toArray()).map((o) => o.total)).toEqual([5, 7, 1]);
  });
});
