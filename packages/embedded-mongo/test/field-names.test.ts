/**
 * Field names as MongoDB (5.0+) validates them: inserts accept `$`-prefixed and dotted names at
 * any level, a replacement refuses a top-level `$`-prefixed name, `_id` cannot be an array or a
 * regex. Nothing stricter than a real mongo.server.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Collection, Document } from 'mongodb';
import { useDatabase } from './server';

const mongo = useDatabase('fieldnames');
let coll: Collection<Document>;
let n = 0;

beforeEach(() => {
  coll = mongo.db.collection(`c${++n}`);
});

describe('S40: field names follow MongoDB’s rules', () => {
  it('S40: inserts keep $-prefixed and dotted field names, top level and nested', async () => {
    const doc = { _id: 1, $price: 50, 'a.b': 1, location: { $db: 'novels', $ref: 'x', $inc: true }, list: [{ $id: 2 }] };
    await coll.insertOne(doc as Document);
    expect(await coll.findOne({ _id: 1 } as Document)).toEqual(doc);
    expect(await coll.countDocuments({ 'list.$id': 2 })).toBe(1);
  });

  it('S40: a replacement refuses a top-level $-prefixed field (DollarPrefixedFieldName) and accepts nested ones', async () => {
    await coll.insertOne({ _id: 1, a: 1 } as Document);
    const err = await coll.replaceOne({ _id: 1 } as Document, { a: 2, $rooms: 1 } as Document).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 52, codeName: 'DollarPrefixedFieldName' });
    await coll.replaceOne({ _id: 1 } as Document, { address: { $street: 'Elm Road' } } as Document);
    expect(await coll.findOne({ _id: 1 } as Document)).toEqual({ _id: 1, address: { $street: 'Elm Road' } });
  });

  it('S40: _id cannot be an array, a regular expression or a document with $-prefixed fields', async () => {
    await expect(coll.insertOne({ _id: [1, 2] } as Document)).rejects.toMatchObject({ code: 53 });
    await expect(coll.insertOne({ _id: /x/ } as Document)).rejects.toMatchObject({ code: 53 });
    await expect(coll.insertOne({ _id: { $x: 1 } } as Document)).rejects.toMatchObject({ code: 52 });
    expect(await coll.countDocuments({})).toBe(0);
  });
});
