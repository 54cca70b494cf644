import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MongoServerError } from 'mongodb';
import type { Collection, CollationOptions, Document } from 'mongodb';
import mongoose from 'mongoose';
import { serverErrorCode, useDatabase } from './server';

// Expectations are MongoDB's documented collation semantics (ICU): strength 1 ignores case and
// accents, strength 2 ignores case, the default (3) orders lowercase before uppercase.

const mongo = useDatabase('collation');
let coll: Collection<Document>;
let n = 0;

const CI: CollationOptions = { locale: 'en', strength: 2 };
const NAMES: Document[] = [
  { _id: 1, name: 'Ann' },
  { _id: 2, name: 'ann' },
  { _id: 3, name: 'ANN' },
  { _id: 4, name: 'Bob' },
  { _id: 5, name: 'Åsa' },
  { _id: 6, name: 'asa' },
];

const ids = (docs: Document[]): unknown[] => docs.map((d) => d._id);

beforeEach(async () => {
  coll = mongo.db.collection(`c${++n}`);
  await coll.insertMany(NAMES.map((d) => ({ ...d })));
});

describe('collation on reads', () => {
  it('find matches case-insensitively at strength 2, also ignoring accents at strength 1', async () => {
    expect(ids(await coll.find({ name: 'ann' }).sort({ _id: 1 }).toArray())).toEqual([2]);
    expect(ids(await coll.find({ name: 'ann' }, { collation: CI }).sort({ _id: 1 }).toArray())).toEqual([1, 2, 3]);
    expect(ids(await coll.find({ name: 'asa' }, { collation: CI }).sort({ _id: 1 }).toArray())).toEqual([6]);
    expect(
      ids(
        await coll
          .find({ name: 'asa' }, { collation: { locale: 'en', strength: 1 } })
          .sort({ _id: 1 })
          .toArray(),
      ),
    ).toEqual([5, 6]);
    expect(ids(await coll.find({ name: { $in: ['BOB', 'x'] } }, { collation: CI }).toArray())).toEqual([4]);
    expect(
      ids(
        await coll
          .find({ name: { $ne: 'ANN' } }, { collation: CI })
          .sort({ _id: 1 })
          .toArray(),
      ),
    ).toEqual([4, 5, 6]);
  });

  it('range operators and sort order follow the collation', async () => {
    // Binary order puts 'B' (0x42) before 'b' and 'Å' after it; the English collation does not.
    expect(ids(await coll.find({ name: { $gte: 'b' } }).toArray())).toEqual([5]);
    expect(ids(await coll.find({ name: { $gte: 'b' } }, { collation: { locale: 'en' } }).toArray())).toEqual([4]);
    const collated = await coll.find({}).sort({ name: 1 }).collation({ locale: 'en' }).toArray();
    expect(ids(collated)).toEqual([2, 1, 3, 6, 5, 4]);
    const binary = await coll.find({}).sort({ name: 1 }).toArray();
    expect(ids(binary)).toEqual([3, 1, 4, 2, 6, 5]);
  });

  it('count, countDocuments and distinct honour it', async () => {
    expect(await coll.countDocuments({ name: 'ANN' }, { collation: CI })).toBe(3);
    expect(await coll.countDocuments({ name: 'ANN' })).toBe(1);
    const r = await mongo.db.command({ count: coll.collectionName, query: { name: 'ann' }, collation: CI });
    expect(r.n).toBe(3);
    const values = (await coll.distinct('name', {}, { collation: CI })) as string[];
    expect(values).toHaveLength(4);
    expect(values.map((v) => v.toLowerCase()).sort()).toEqual(['ann', 'asa', 'bob', 'åsa']);
    expect(await coll.distinct('name', {})).toHaveLength(6);
  });

  it('aggregate: $match, $sort and $group use the collation', async () => {
    const matched = await coll.aggregate([{ $match: { name: 'ann' } }, { $count: 'n' }], { collation: CI }).toArray();
    expect(matched).toEqual([{ n: 3 }]);
    const groups = await coll.aggregate<{ _id: string; n: number }>([{ $group: { _id: '$name', n: { $sum: 1 } } }], { collation: CI }).toArray();
    expect(groups).toHaveLength(4);
    expect(groups.find((g) => g._id.toLowerCase() === 'ann')?.n).toBe(3);
    const sorted = await coll.aggregate([{ $sort: { name: -1 } }, { $limit: 2 }, { $project: { _id: 1 } }], { collation: { locale: 'en' } }).toArray();
    expect(ids(sorted)).toEqual([4, 5]);
  });

  it('an invalid collation is refused: unknown locale (BadValue), unknown field (FailedToParse)', async () => {
    expect(await serverErrorCode(coll.find({}, { collation: { locale: 'xx' } }).toArray())).toBe(2);
    expect(await serverErrorCode(coll.find({}, { collation: { locale: 'en', bogus: true } as CollationOptions }).toArray())).toBe(9);
  });
});

describe('collation on writes', () => {
  it('updateMany / updateOne / replaceOne', async () => {
    const r = await coll.updateMany({ name: 'ann' }, { $set: { hit: true } }, { collation: CI });
    expect(r.matchedCount).toBe(3);
    expect(r.modifiedCount).toBe(3);
    const one = await coll.updateOne({ name: 'BOB' }, { $set: { hit: true } }, { collation: CI });
    expect(one.modifiedCount).toBe(1);
    const rep = await coll.replaceOne({ name: 'ASA' }, { name: 'asa', replaced: true }, { collation: CI });
    expect(rep.modifiedCount).toBe(1);
    expect(ids(await coll.find({ hit: true }).sort({ _id: 1 }).toArray())).toEqual([1, 2, 3, 4]);
    expect(ids(await coll.find({ replaced: true }).toArray())).toEqual([6]);
  });

  it('deleteOne / deleteMany', async () => {
    expect((await coll.deleteMany({ name: 'ANN' }, { collation: CI })).deletedCount).toBe(3);
    expect((await coll.deleteOne({ name: 'ÅSA' }, { collation: CI })).deletedCount).toBe(1);
    expect(ids(await coll.find({}).sort({ _id: 1 }).toArray())).toEqual([4, 6]);
  });

  it('findOneAndUpdate / findOneAndDelete / upsert with collation', async () => {
    const after = await coll.findOneAndUpdate({ name: 'bob' }, { $set: { seen: 1 } }, { collation: CI, returnDocument: 'after' });
    expect(after).toMatchObject({ _id: 4, seen: 1 });
    const gone = await coll.findOneAndDelete({ name: 'åSA' }, { collation: CI });
    expect(gone?._id).toBe(5);
    const up = await coll.updateOne({ name: 'BOB' }, { $set: { v: 2 } }, { collation: CI, upsert: true });
    expect(up.upsertedCount).toBe(0);
    expect(up.matchedCount).toBe(1);
  });
});

describe("a collection's default collation", () => {
  it('applies to every operation without its own collation; {locale: "simple"} opts out', async () => {
    const ci = await mongo.db.createCollection(`ci${++n}`, { collation: CI });
    await ci.insertMany(NAMES.map((d) => ({ ...d })));
    const info = await mongo.db.listCollections({ name: ci.collectionName }).toArray();
    expect((info[0] as Document).options.collation).toMatchObject({ locale: 'en', strength: 2 });
    expect(ids(await ci.find({ name: 'ANN' }).sort({ _id: 1 }).toArray())).toEqual([1, 2, 3]);
    expect(ids(await ci.find({ name: 'ANN' }, { collation: { locale: 'simple' } }).toArray())).toEqual([3]);
    expect(await ci.countDocuments({ name: 'ann' })).toBe(3);
    expect((await ci.updateMany({ name: 'bob' }, { $set: { x: 1 } })).modifiedCount).toBe(1);
    expect((await ci.deleteMany({ name: 'ann' })).deletedCount).toBe(3);
    expect(await ci.countDocuments()).toBe(3);
  });

  it('the _id index follows it: ids that differ only in case are duplicates', async () => {
    const ci = await mongo.db.createCollection(`ci${++n}`, { collation: CI });
    await ci.insertOne({ _id: 'abc' } as Document);
    const err = await ci.insertOne({ _id: 'ABC' } as Document).catch((e: unknown) => e);
    expect((err as MongoServerError).code).toBe(11000);
    const idx = await ci.listIndexes().toArray();
    expect(idx.find((i) => i.name === '_id_')?.collation).toMatchObject({ locale: 'en', strength: 2 });
    expect(await ci.findOne({ _id: 'aBc' } as Document)).toEqual({ _id: 'abc' });
  });

  it('indexes created on it take it, unless they name their own', async () => {
    const ci = await mongo.db.createCollection(`ci${++n}`, { collation: CI });
    await ci.createIndex({ name: 1 });
    await ci.createIndex({ other: 1 }, { collation: { locale: 'simple' } });
    const idx = await ci.listIndexes().toArray();
    expect(idx.find((i) => i.name === 'name_1')?.collation).toMatchObject({ locale: 'en', strength: 2 });
    expect(idx.find((i) => i.name === 'other_1')?.collation).toBeUndefined();
  });
});

describe('collated indexes', () => {
  it('a unique index with strength 2 refuses values that differ only in case', async () => {
    const users = mongo.db.collection(`u${++n}`);
    await users.createIndex({ email: 1 }, { unique: true, collation: CI });
    await users.insertOne({ email: 'Ann@Example.com' });
    const err = await users.insertOne({ email: 'ann@example.COM' }).catch((e: unknown) => e);
    expect((err as MongoServerError).code).toBe(11000);
    const idx = await users.listIndexes().toArray();
    expect(idx.find((i) => i.name === 'email_1')?.collation).toMatchObject({ locale: 'en', strength: 2 });
    // Same key, another collation: a different index (it needs its own name).
    await users.createIndex({ email: 1 }, { name: 'email_binary' });
    expect((await users.listIndexes().toArray()).map((i) => i.name).sort()).toEqual(['_id_', 'email_1', 'email_binary']);
  });

  it('answers queries with its collation (hinted or not), and queries without it correctly too', async () => {
    const users = mongo.db.collection(`u${++n}`);
    await users.createIndex({ email: 1 }, { collation: CI });
    await users.insertMany([{ email: 'a@x.io' }, { email: 'B@x.io' }]);
    expect(await users.countDocuments({ email: 'A@X.IO' }, { collation: CI })).toBe(1);
    expect(await users.countDocuments({ email: 'A@X.IO' }, { collation: CI, hint: 'email_1' })).toBe(1);
    expect(await users.countDocuments({ email: 'A@X.IO' })).toBe(0);
    expect(await users.countDocuments({ email: 'B@x.io' }, { hint: { email: 1 } })).toBe(1);
  });
});

describe('mongoose', () => {
  let conn: mongoose.Connection;
  beforeAll(async () => {
    conn = await mongoose.createConnection(mongo.uri).asPromise();
  });
  afterAll(async () => {
    await conn?.close();
  });

  it('case-insensitive lookups with Query#collation', async () => {
    const User = conn.model('CollUser', new mongoose.Schema({ email: String }), `mu${++n}`);
    await User.create({ email: 'Ann@Example.com' });
    expect(await User.findOne({ email: 'ann@example.com' })).toBeNull();
    const found = await User.findOne({ email: 'ann@example.com' }).collation(CI).lean();
    expect(found?.email).toBe('Ann@Example.com');
    expect(await User.countDocuments({ email: 'ANN@EXAMPLE.COM' }).collation(CI)).toBe(1);
    const upd = await User.updateOne({ email: 'ANN@example.com' }, { $set: { email: 'ann@example.com' } }).collation(CI);
    expect(upd.modifiedCount).toBe(1);
  });

  it('a schema-level collation makes the collection case-insensitive, with a unique index', async () => {
    const schema = new mongoose.Schema({ email: { type: String, unique: true } }, { collation: CI, autoCreate: true });
    const User = conn.model('CollUser2', schema, `mu${++n}`);
    await User.init();
    await User.create({ email: 'Bob@Example.com' });
    expect((await User.findOne({ email: 'BOB@example.com' }).lean())?.email).toBe('Bob@Example.com');
    const dup = (await User.create({ email: 'bob@example.com' }).catch((e: unknown) => e)) as { code?: number };
    expect(dup.code).toBe(11000);
  });
});
