import { describe, expect, it } from 'vitest';
import { DBRef, ObjectId } from 'mongodb';
import type { Document } from 'mongodb';
import mongoose from 'mongoose';
import { useDatabase } from './server';

// DBRef-shaped values ({$ref, $id, $db}) are embedded documents to MongoDB: their fields are queried
// by path, `$elemMatch` names them as fields (mongod's isDBRefDocument), and they come back as stored.
// Regression: mongoose gh-8577 ("casts $elemMatch with dbrefs").

const mongo = useDatabase('dbref');
let n = 0;
const name = (): string => `r${++n}`;

describe('DBRef-shaped values', () => {
  it('$elemMatch on $id finds the array element, as mongoose gh-8577 queries it', async () => {
    const conn = await mongoose.createConnection(mongo.uri).asPromise();
    try {
      const Chat = conn.model('Chat', new mongoose.Schema({ members: [{ $ref: String, $id: mongoose.Schema.Types.ObjectId, $db: String }] }), name());
      const doc = await Chat.create({ members: [{ $ref: 'foo', $id: new mongoose.Types.ObjectId(), $db: 'foo' }] });
      const member = doc.members[0] as unknown as { $id: mongoose.Types.ObjectId };
      const found = await Chat.findOne({ members: { $elemMatch: { $id: member.$id } } });
      expect(found?._id.toHexString()).toBe(doc._id.toHexString());
    } finally {
      await conn.close();
    }
  });

  it('$elemMatch takes $ref, $id and $db as field names, alone or together', async () => {
    const c = mongo.db.collection(name());
    const id = new ObjectId();
    await c.insertOne({ _id: 1, links: [new DBRef('users', id, 'app')] } as Document);
    const ids = async (filter: Document): Promise<unknown[]> => (await c.find(filter).toArray()).map((d) => d._id);
    expect(await ids({ links: { $elemMatch: { $id: id } } })).toEqual([1]);
    expect(await ids({ links: { $elemMatch: { $ref: 'users', $id: id } } })).toEqual([1]);
    expect(await ids({ links: { $elemMatch: { $ref: 'users' } } })).toEqual([1]);
    expect(await ids({ links: { $elemMatch: { $db: 'app' } } })).toEqual([1]);
    expect(await ids({ links: { $elemMatch: { $ref: 'groups' } } })).toEqual([]);
    expect(await ids({ links: { $elemMatch: { $id: new ObjectId() } } })).toEqual([]);
  });

  it("queries a DBRef's fields by path and a whole DBRef by equality, and returns it as stored", async () => {
    const c = mongo.db.collection(name());
    const id = new ObjectId();
    await c.insertMany([
      { _id: 1, owner: new DBRef('users', id) },
      { _id: 2, owner: new DBRef('users', new ObjectId()) },
      { _id: 3, owners: [new DBRef('groups', id), new DBRef('users', id)] },
    ] as Document[]);
    const ids = async (filter: Document): Promise<unknown[]> => (await c.find(filter).sort({ _id: 1 }).toArray()).map((d) => d._id);
    expect(await ids({ 'owner.$id': id })).toEqual([1]);
    expect(await ids({ 'owner.$ref': 'users' })).toEqual([1, 2]);
    expect(await ids({ 'owners.$ref': 'groups' })).toEqual([3]);
    expect(await ids({ owner: new DBRef('users', id) })).toEqual([1]);
    expect(await ids({ owner: { $in: [new DBRef('users', id)] } })).toEqual([1]);
    const stored = await c.findOne({ _id: 1 } as Document);
    expect(stored?.owner).toBeInstanceOf(DBRef);
    expect((stored?.owner as DBRef).oid).toEqual(id);
    expect((stored?.owner as DBRef).collection).toBe('users');
  });
});
