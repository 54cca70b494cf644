import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mongoose from 'mongoose';
import { getServer } from './server';
import type { TestServer } from './server';

let server: TestServer;
let conn: mongoose.Connection;

const userSchema = new mongoose.Schema(
  {
    email: { type: String, required: true, unique: true },
    name: String,
    roles: [String],
    lastLoginAt: Date,
  },
  { timestamps: true },
);

beforeAll(async () => {
  server = await getServer('mongoose');
  conn = await mongoose.createConnection(server.uri).asPromise();
});
afterAll(async () => {
  await conn?.close();
  await server?.stop();
});

describe('mongoose', () => {
  it('creates the collection and unique index, CRUD through models', async () => {
    const User = conn.model('User', userSchema);
    await User.init();
    const u = await User.create({ email: 'ann@example.com', name: 'Ann', roles: ['user'] });
    expect(u._id).toBeDefined();
    const found = await User.findOne({ email: 'ann@example.com' }).lean();
    expect(found?.name).toBe('Ann');
    expect(found?.createdAt).toBeInstanceOf(Date);
    await User.updateOne({ _id: u._id }, { $set: { lastLoginAt: new Date() }, $addToSet: { roles: 'admin' } });
    const again = await User.findById(u._id);
    expect(again?.roles).toEqual(['user', 'admin']);
    expect(await User.countDocuments()).toBe(1);
    const indexes = await User.listIndexes();
    expect(indexes.map((i) => i.name)).toContain('email_1');
    await User.syncIndexes();
    await User.deleteOne({ _id: u._id });
    expect(await User.findById(u._id)).toBeNull();
  });

  it("turns a duplicate key into mongoose's usual E11000 error", async () => {
    const User = conn.model('User2', userSchema, 'users2');
    await User.init();
    await User.create({ email: 'dup@example.com' });
    const err = (await User.create({ email: 'dup@example.com' }).catch((e: unknown) => e)) as {
      code: number;
      keyValue: unknown;
      name: string;
      message: string;
    };
    expect(err.code).toBe(11000);
    expect(err.keyValue).toEqual({ email: 'dup@example.com' });
    expect(err.message).toContain('E11000');
  });

  it('validation, findOneAndUpdate with upsert, sorting and pagination', async () => {
    const Item = conn.model('Item', new mongoose.Schema({ n: Number, tag: String }));
    await Item.insertMany(Array.from({ length: 30 }, (_, n) => ({ n, tag: n % 3 === 0 ? 'fizz' : 'plain' })));
    const page = await Item.find({ tag: 'fizz' }).sort({ n: -1 }).skip(2).limit(3).lean();
    expect(page.map((d) => d.n)).toEqual([21, 18, 15]);
    const up = await Item.findOneAndUpdate({ n: 100 }, { $set: { tag: 'new' } }, { upsert: true, returnDocument: 'after' }).lean();
    expect(up?.tag).toBe('new');
    const agg = await Item.aggregate<{ _id: string; c: number }>([{ $group: { _id: '$tag', c: { $sum: 1 } } }, { $sort: { _id: 1 } }]);
    expect(agg).toEqual([
      { _id: 'fizz', c: 10 },
      { _id: 'new', c: 1 },
      { _id: 'plain', c: 20 },
    ]);
  });
});
