/**
 * Field names such as `__proto__`, `constructor` or `hasOwnProperty` are ordinary MongoDB field
 * names. A server must store them as fields, never follow them into a JavaScript prototype: the
 * engine runs inside the app's process, so reaching `Object.prototype` would change every object
 * of the app (a forged `req.session.user`, for one). These tests hold against a real MongoDB too:
 * there the field round-trips and this process's prototypes obviously stay untouched.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Collection, Document, UpdateFilter } from 'mongodb';
import { useDatabase } from './server';

const mongo = useDatabase('proto');
let coll: Collection<Document>;
let bystander: Collection<Document>;
let n = 0;

const u = (x: Document): UpdateFilter<Document> => x as UpdateFilter<Document>;
/** A document literal with an own `__proto__` field (an object literal would set the prototype instead). */
const json = (text: string): Document => JSON.parse(text) as Document;

const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();
const hasOwnProperty = Object.prototype.hasOwnProperty;
const toStringFn = Object.prototype.toString;

function expectPrototypeUntouched(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames);
  expect(Object.prototype.hasOwnProperty).toBe(hasOwnProperty);
  expect(Object.prototype.toString).toBe(toStringFn);
  const fresh: Record<string, unknown> = {};
  expect(fresh.x).toBeUndefined();
  expect(fresh.role).toBeUndefined();
  expect(fresh.userId).toBeUndefined();
  expect(Object.getPrototypeOf(fresh)).toBe(Object.prototype);
}

/** The stored document's own `__proto__` field (undefined when it has none). */
function protoField(d: Document | null): unknown {
  if (!d) return undefined;
  return Object.hasOwn(d, '__proto__') ? (d as Record<string, unknown>)['__proto__'] : undefined;
}

beforeEach(async () => {
  n++;
  coll = mongo.db.collection(`target${n}`);
  bystander = mongo.db.collection(`other${n}`);
  await bystander.insertMany([
    { _id: 'b1', name: 'unrelated' },
    { _id: 'b2', name: 'also unrelated', x: 1 },
  ] as Document[]);
});

afterEach(async () => {
  expectPrototypeUntouched();
  // Documents of other collections are not changed and do not suddenly match inherited values.
  expect(await bystander.countDocuments({ x: 7 })).toBe(0);
  expect(await bystander.countDocuments({ role: 'admin' })).toBe(0);
  expect(
    await bystander
      .find({}, { projection: { _id: 1 } })
      .sort({ _id: 1 })
      .toArray(),
  ).toEqual([{ _id: 'b1' }, { _id: 'b2' }]);
});

describe('S40: update operators treat __proto__ as an ordinary field name', () => {
  beforeEach(async () => {
    await coll.insertOne({ _id: 1, a: 7, list: [] } as Document);
  });

  it('S40: $set / $setOnInsert create a __proto__ field, not a prototype', async () => {
    await coll.updateOne({ _id: 1 } as Document, u({ $set: { '__proto__.x': 7, '__proto__.role': 'admin' } }));
    expect(protoField(await coll.findOne({ _id: 1 } as Document))).toEqual({ x: 7, role: 'admin' });
    await coll.updateOne({ _id: 2 } as Document, u({ $setOnInsert: { '__proto__.x': 7 } }), { upsert: true });
    expect(protoField(await coll.findOne({ _id: 2 } as Document))).toEqual({ x: 7 });
    await coll.updateOne({ _id: 3 } as Document, u({ $set: json('{"__proto__": {"x": 7}}') }), { upsert: true });
    expect(protoField(await coll.findOne({ _id: 3 } as Document))).toEqual({ x: 7 });
  });

  it('S40: $inc / $mul / $min / $max / $currentDate create fields under __proto__', async () => {
    await coll.updateOne(
      { _id: 1 } as Document,
      u({ $inc: { '__proto__.x': 7 }, $mul: { '__proto__.m': 3 }, $min: { '__proto__.lo': 1 }, $max: { '__proto__.hi': 2 } }),
    );
    await coll.updateOne({ _id: 1 } as Document, u({ $currentDate: { '__proto__.at': true } }));
    const f = protoField(await coll.findOne({ _id: 1 } as Document)) as Record<string, unknown>;
    expect(f).toMatchObject({ x: 7, m: 0, lo: 1, hi: 2 });
    expect(f.at).toBeInstanceOf(Date);
  });

  it('S40: $push / $addToSet / $pull / $pullAll / $pop work on an array under __proto__', async () => {
    await coll.updateOne({ _id: 1 } as Document, u({ $push: { '__proto__.x': 7 }, $addToSet: { '__proto__.y': { $each: [1, 2, 2] } } }));
    expect(protoField(await coll.findOne({ _id: 1 } as Document))).toEqual({ x: [7], y: [1, 2] });
    await coll.updateOne({ _id: 1 } as Document, u({ $pull: { '__proto__.y': 1 }, $pullAll: { '__proto__.x': [7] } }));
    expect(protoField(await coll.findOne({ _id: 1 } as Document))).toEqual({ x: [], y: [2] });
    await coll.updateOne({ _id: 1 } as Document, u({ $pop: { '__proto__.y': 1 } }));
    expect(protoField(await coll.findOne({ _id: 1 } as Document))).toEqual({ x: [], y: [] });
    // On a document without the field these are no-ops, as for any missing field.
    await coll.insertOne({ _id: 9 } as Document);
    const r = await coll.updateOne({ _id: 9 } as Document, u({ $pull: { '__proto__.hasOwnProperty': 1, 'constructor.x': 1 } }));
    expect(r.modifiedCount).toBe(0);
    expect(await coll.findOne({ _id: 9 } as Document)).toEqual({ _id: 9 });
  });

  it('S40: $unset of __proto__.hasOwnProperty or constructor.prototype.x touches nothing but the document', async () => {
    const r = await coll.updateOne(
      { _id: 1 } as Document,
      u({ $unset: { '__proto__.hasOwnProperty': '', '__proto__.toString': '', 'constructor.prototype.x': '' } }),
    );
    expect(r.modifiedCount).toBe(0);
    await coll.updateOne({ _id: 1 } as Document, u({ $set: { '__proto__.keep': 1, '__proto__.drop': 2 } }));
    await coll.updateOne({ _id: 1 } as Document, u({ $unset: { '__proto__.drop': '' } }));
    expect(protoField(await coll.findOne({ _id: 1 } as Document))).toEqual({ keep: 1 });
    await coll.updateOne({ _id: 1 } as Document, u({ $unset: json('{"__proto__": ""}') }));
    expect(await coll.findOne({ _id: 1 } as Document)).toEqual({ _id: 1, a: 7, list: [] });
  });

  it('S40: $rename into and out of __proto__ moves document fields only', async () => {
    await coll.updateOne({ _id: 1 } as Document, u({ $rename: { a: '__proto__.x' } }));
    expect(await coll.findOne({ _id: 1 } as Document)).toEqual(json('{"_id": 1, "list": [], "__proto__": {"x": 7}}'));
    // Renaming a "field" that only exists on Object.prototype is renaming a missing field.
    const r = await coll.updateOne({ _id: 1 } as Document, u({ $rename: { toString: 'stolen', 'constructor.name': 'n' } }));
    expect(r.modifiedCount).toBe(0);
    await coll.updateOne({ _id: 1 } as Document, u({ $rename: { '__proto__.x': 'back' } }));
    expect(await coll.findOne({ _id: 1 } as Document)).toEqual(json('{"_id": 1, "list": [], "__proto__": {}, "back": 7}'));
  });

  it('S40: constructor.prototype paths are stored as nested fields', async () => {
    await coll.updateOne({ _id: 1 } as Document, u({ $set: { 'constructor.prototype.x': 7 } }));
    const d = await coll.findOne({ _id: 1 } as Document);
    expect(d).toEqual({ _id: 1, a: 7, list: [], constructor: { prototype: { x: 7 } } });
  });
});

describe('S40: upserts, replacements, inserts and findAndModify', () => {
  it('S40: an upsert seeds __proto__ fields from the filter as ordinary fields', async () => {
    await coll.updateOne({ '__proto__.x': 7, '__proto__.role': 'admin' }, u({ $set: { y: 1 } }), { upsert: true });
    const d = await coll.findOne({ y: 1 });
    expect(protoField(d)).toEqual({ x: 7, role: 'admin' });
    await coll.updateOne(json('{"__proto__": {"x": 8}}'), u({ $set: { z: 1 } }), { upsert: true });
    expect(protoField(await coll.findOne({ z: 1 }))).toEqual({ x: 8 });
  });

  it('S40: a replacement or inserted document keeps its __proto__ field', async () => {
    await coll.insertOne(json('{"_id": 1, "__proto__": {"x": 7, "role": "admin"}, "n": 1}'));
    expect(await coll.findOne({ _id: 1 } as Document)).toEqual(json('{"_id": 1, "__proto__": {"x": 7, "role": "admin"}, "n": 1}'));
    await coll.replaceOne({ _id: 1 } as Document, json('{"__proto__": {"x": 9}, "n": 2}'));
    const d = await coll.findOne({ _id: 1 } as Document);
    expect(protoField(d)).toEqual({ x: 9 });
    expect(d?.n).toBe(2);
    await coll.replaceOne({ _id: 2 } as Document, json('{"__proto__": {"x": 10}}'), { upsert: true });
    expect(protoField(await coll.findOne({ _id: 2 } as Document))).toEqual({ x: 10 });
  });

  it('S40: findOneAndUpdate / findOneAndReplace with __proto__ paths', async () => {
    await coll.insertOne({ _id: 1, n: 1 } as Document);
    const after = await coll.findOneAndUpdate({ _id: 1 } as Document, u({ $set: { '__proto__.x': 7 } }), { returnDocument: 'after' });
    expect(protoField(after)).toEqual({ x: 7 });
    const up = await coll.findOneAndUpdate({ '__proto__.role': 'admin' }, u({ $inc: { '__proto__.n': 1 } }), { upsert: true, returnDocument: 'after' });
    expect(protoField(up)).toEqual({ role: 'admin', n: 1 });
    const rep = await coll.findOneAndReplace({ _id: 1 } as Document, json('{"__proto__": {"y": 1}}'), { returnDocument: 'after' });
    expect(protoField(rep)).toEqual({ y: 1 });
  });
});

describe('S40: queries, projections, sorts and indexes see own fields only', () => {
  beforeEach(async () => {
    await coll.insertMany([json('{"_id": 1, "__proto__": {"x": 7}, "k": "b"}'), { _id: 2, k: 'a' }, { _id: 3, constructor: 'c', k: 'c' }] as Document[]);
  });

  it('S40: inherited names never match; a stored __proto__ field does', async () => {
    const ids = async (f: Document): Promise<unknown[]> => (await coll.find(f).sort({ _id: 1 }).toArray()).map((d) => d._id);
    expect(await ids({ '__proto__.x': 7 })).toEqual([1]);
    expect(await ids(json('{"__proto__": {"$exists": true}}'))).toEqual([1]);
    expect(await ids({ toString: { $exists: true } })).toEqual([]);
    expect(await ids({ hasOwnProperty: { $exists: false } })).toEqual([1, 2, 3]);
    expect(await ids({ constructor: { $exists: true } })).toEqual([3]);
    expect(await ids({ 'constructor.name': 'Object' })).toEqual([]);
    expect(await ids({ x: { $type: 'constructor' } }).catch((e: { code?: number }) => e.code)).toBe(2);
  });

  it('S40: projections of __proto__ and inherited names', async () => {
    const d1 = await coll.findOne({ _id: 1 } as Document, { projection: { '__proto__.x': 1, toString: 1 } });
    expect(d1).toEqual(json('{"_id": 1, "__proto__": {"x": 7}}'));
    const d2 = await coll.findOne({ _id: 1 } as Document, { projection: json('{"__proto__": 0, "constructor": 0}') });
    expect(d2).toEqual({ _id: 1, k: 'b' });
    const d3 = await coll.findOne({ _id: 3 } as Document, { projection: { constructor: 1, _id: 0 } });
    expect(d3).toEqual({ constructor: 'c' });
  });

  it('S40: sorting and unique indexes on __proto__ paths', async () => {
    expect((await coll.find({}).sort({ '__proto__.x': -1, _id: 1 }).toArray()).map((d) => d._id)).toEqual([1, 2, 3]);
    await coll.createIndex({ '__proto__.x': 1 }, { unique: true, sparse: true });
    await expect(coll.insertOne(json('{"_id": 4, "__proto__": {"x": 7}}'))).rejects.toMatchObject({ code: 11000 });
    await coll.insertOne(json('{"_id": 5, "__proto__": {"x": 8}}'));
    expect((await coll.find({ '__proto__.x': 8 }).toArray()).map((d) => d._id)).toEqual([5]);
  });
});

describe('S40: aggregation keeps __proto__ an ordinary field', () => {
  beforeEach(async () => {
    await coll.insertMany([json('{"_id": 1, "__proto__": {"x": 7}, "a": 1}'), { _id: 2, a: 2 }] as Document[]);
  });

  it('S40: counts, $project, $addFields, $group and $replaceWith over a __proto__ field', async () => {
    expect(await coll.countDocuments({})).toBe(2);
    expect(await coll.countDocuments({ '__proto__.x': 7 })).toBe(1);
    const run = (p: Document[]): Promise<Document[]> => coll.aggregate(p).toArray();
    expect(await run([{ $match: { _id: 1 } }, { $project: json('{"__proto__": 1, "_id": 0}') }])).toEqual([json('{"__proto__": {"x": 7}}')]);
    expect(await run([{ $match: { _id: 1 } }, { $addFields: { '__proto__.y': 8, z: '$__proto__.x' } }])).toEqual([
      json('{"_id": 1, "__proto__": {"x": 7, "y": 8}, "a": 1, "z": 7}'),
    ]);
    expect(await run([{ $group: { _id: '$__proto__.x', n: { $sum: 1 } } }, { $sort: { _id: 1 } }])).toEqual([
      { _id: null, n: 1 },
      { _id: 7, n: 1 },
    ]);
    expect(await run([{ $match: { _id: 1 } }, { $replaceWith: '$__proto__' }])).toEqual([{ x: 7 }]);
    expect(await run([{ $group: json('{"_id": null, "__proto__": {"$sum": "$a"}}') }])).toEqual([json('{"_id": null, "__proto__": 3}')]);
  });
});
