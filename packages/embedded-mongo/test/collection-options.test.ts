import { describe, expect, it } from 'vitest';
import type { Document } from 'mongodb';
import mongoose from 'mongoose';
import { serverErrorCode, useDatabase } from './server';

const mongo = useDatabase('collection_options');
let n = 0;
const name = (): string => `o${++n}`;

describe('collMod', () => {
  it("changes a TTL index's expireAfterSeconds (by key pattern or name)", async () => {
    const c = mongo.db.collection(name());
    await c.createIndex({ at: 1 }, { expireAfterSeconds: 60 });
    const r = await mongo.db.command({ collMod: c.collectionName, index: { keyPattern: { at: 1 }, expireAfterSeconds: 120 } });
    expect(r).toMatchObject({ expireAfterSeconds_old: 60, expireAfterSeconds_new: 120, ok: 1 });
    expect((await c.listIndexes().toArray()).find((i) => i.name === 'at_1')?.expireAfterSeconds).toBe(120);
    await mongo.db.command({ collMod: c.collectionName, index: { name: 'at_1', expireAfterSeconds: 5 } });
    expect((await c.listIndexes().toArray()).find((i) => i.name === 'at_1')?.expireAfterSeconds).toBe(5);
  });

  it('hides and unhides an index; a hidden index cannot be hinted', async () => {
    const c = mongo.db.collection(name());
    await c.insertOne({ x: 1 });
    await c.createIndex({ x: 1 });
    const r = await mongo.db.command({ collMod: c.collectionName, index: { name: 'x_1', hidden: true } });
    expect(r).toMatchObject({ hidden_old: false, hidden_new: true, ok: 1 });
    expect((await c.listIndexes().toArray()).find((i) => i.name === 'x_1')?.hidden).toBe(true);
    expect(await serverErrorCode(c.find({ x: 1 }).hint('x_1').toArray())).toBe(2);
    await mongo.db.command({ collMod: c.collectionName, index: { keyPattern: { x: 1 }, hidden: false } });
    expect(await c.find({ x: 1 }).hint('x_1').toArray()).toHaveLength(1);
  });

  it('adds a validator: invalid inserts and updates fail with DocumentValidationFailure (121)', async () => {
    const c = mongo.db.collection(name());
    await c.insertOne({ _id: 1, age: -5 } as Document);
    await mongo.db.command({ collMod: c.collectionName, validator: { age: { $gte: 0 } } });
    expect(await serverErrorCode(c.insertOne({ age: -1 }))).toBe(121);
    await c.insertOne({ _id: 2, age: 3 } as Document);
    expect(await serverErrorCode(c.updateOne({ _id: 2 } as Document, { $set: { age: -3 } }))).toBe(121);
    const info = await mongo.db.listCollections({ name: c.collectionName }).toArray();
    expect((info[0] as Document).options.validator).toEqual({ age: { $gte: 0 } });
    // moderate: documents that already fail may still be updated.
    await mongo.db.command({ collMod: c.collectionName, validationLevel: 'moderate' });
    expect((await c.updateOne({ _id: 1 } as Document, { $set: { note: 'x' } })).modifiedCount).toBe(1);
    expect(await serverErrorCode(c.updateOne({ _id: 2 } as Document, { $set: { age: -3 } }))).toBe(121);
    // warn: accepted (mongod only logs it); bypassDocumentValidation also skips the check.
    await mongo.db.command({ collMod: c.collectionName, validationAction: 'warn' });
    await c.insertOne({ age: -7 });
    await mongo.db.command({ collMod: c.collectionName, validationAction: 'error', validationLevel: 'strict' });
    await c.insertOne({ age: -8 }, { bypassDocumentValidation: true });
    expect(await c.countDocuments({ age: { $lt: 0 } })).toBe(3);
  });

  it('fails for a missing collection (26) or index (27)', async () => {
    expect(await serverErrorCode(mongo.db.command({ collMod: 'nope_missing', validator: {} }))).toBe(26);
    const c = mongo.db.collection(name());
    await c.insertOne({});
    expect(await serverErrorCode(mongo.db.command({ collMod: c.collectionName, index: { name: 'missing_1', hidden: true } }))).toBe(27);
  });

  it("mongoose cleanIndexes({hideIndexes: true}) hides what the schema doesn't declare", async () => {
    const conn = await mongoose.createConnection(mongo.uri).asPromise();
    try {
      const coll = name();
      const Model = conn.model('Hide', new mongoose.Schema({ a: { type: Number, index: true }, b: Number }), coll);
      await Model.init();
      await mongo.db.collection(coll).createIndex({ b: 1 });
      const dropped = await Model.cleanIndexes({ hideIndexes: true });
      expect(dropped).toEqual(['b_1']);
      const idx = await mongo.db.collection(coll).listIndexes().toArray();
      expect(idx.find((i) => i.name === 'b_1')?.hidden).toBe(true);
      expect(idx.find((i) => i.name === 'a_1')?.hidden).toBeUndefined();
    } finally {
      await conn.close();
    }
  });
});

describe('capped collections', () => {
  it('need a size (72), and size/max need capped (72)', async () => {
    expect(await serverErrorCode(mongo.db.createCollection(name(), { capped: true }))).toBe(72);
    expect(await serverErrorCode(mongo.db.createCollection(name(), { capped: true, max: 5 }))).toBe(72);
    expect(await serverErrorCode(mongo.db.createCollection(name(), { size: 4096 }))).toBe(72);
  });

  it('keep the newest documents once over max, in insertion order', async () => {
    const c = await mongo.db.createCollection(name(), { capped: true, size: 4096, max: 3 });
    for (let i = 1; i <= 5; i++) await c.insertOne({ i });
    expect((await c.find({}).toArray()).map((d) => d.i)).toEqual([3, 4, 5]);
    const info = await mongo.db.listCollections({ name: c.collectionName }).toArray();
    expect((info[0] as Document).options).toMatchObject({ capped: true, size: 4096, max: 3 });
  });

  it('keep within size: old documents go first', async () => {
    const c = await mongo.db.createCollection(name(), { capped: true, size: 4096 });
    const pad = 'x'.repeat(900);
    for (let i = 1; i <= 10; i++) await c.insertOne({ i, pad });
    const left = (await c.find({}).toArray()).map((d) => d.i as number);
    expect(left.length).toBeLessThan(10);
    expect(left[left.length - 1]).toBe(10);
    expect(left).toEqual([...left].sort((a, b) => a - b));
  });
});

describe('sort on a single update', () => {
  it('is honoured from MongoDB 8.0 (wire version 25) on, and refused as an unknown field before', async () => {
    const c = mongo.db.collection(name());
    await c.insertMany([
      { k: 1, v: 'a' },
      { k: 2, v: 'b' },
    ]);
    const hello = await mongo.db.admin().command({ hello: 1 });
    const update = c.updateOne({}, { $set: { hit: true } }, { sort: { k: -1 } });
    if ((hello.maxWireVersion as number) >= 25) {
      expect((await update).modifiedCount).toBe(1);
      expect((await c.findOne({ hit: true }))?.k).toBe(2);
    } else {
      expect(await serverErrorCode(update)).toBe(40415);
      expect(await c.countDocuments({ hit: true })).toBe(0);
    }
  });
});
