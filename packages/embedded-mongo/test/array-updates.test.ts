import { beforeEach, describe, expect, it } from 'vitest';
import type { Collection, Document, UpdateFilter } from 'mongodb';
import { serverErrorCode, useDatabase } from './server';

// Expectations are the examples of MongoDB's manual for `$`, `$[]`, `$[<identifier>]` and
// `$pull`, and mongod's documented errors for malformed array updates.

const mongo = useDatabase('array_updates');
let coll: Collection<Document>;
let n = 0;
const u = (x: Document): UpdateFilter<Document> => x as UpdateFilter<Document>;
const byId = (id: unknown): Document => ({ _id: id });

beforeEach(() => {
  coll = mongo.db.collection(`a${++n}`);
});

describe('positional $', () => {
  it('updates the first element the query matched', async () => {
    await coll.insertMany([
      { _id: 1, grades: [85, 80, 80] },
      { _id: 2, grades: [88, 90, 92] },
    ] as Document[]);
    await coll.updateOne({ _id: 1, grades: 80 } as Document, u({ $set: { 'grades.$': 82 } }));
    expect(await coll.findOne(byId(1))).toEqual({ _id: 1, grades: [85, 82, 80] });
  });

  it('reaches into the matched embedded document; $elemMatch picks the element meeting all conditions', async () => {
    await coll.insertOne({
      _id: 4,
      grades: [
        { grade: 80, mean: 75, std: 8 },
        { grade: 85, mean: 90, std: 5 },
        { grade: 85, mean: 85, std: 8 },
      ],
    } as Document);
    await coll.updateOne({ _id: 4, 'grades.grade': 85 } as Document, u({ $set: { 'grades.$.std': 6 } }));
    expect(((await coll.findOne(byId(4))) as Document).grades[1]).toEqual({ grade: 85, mean: 90, std: 6 });
    await coll.updateOne({ _id: 4, grades: { $elemMatch: { grade: { $lte: 90 }, mean: { $lt: 88 } } } } as Document, u({ $inc: { 'grades.$.grade': 1 } }));
    expect(((await coll.findOne(byId(4))) as Document).grades.map((g: Document) => g.grade)).toEqual([81, 85, 85]);
  });

  it('with updateMany, each document uses its own matched position', async () => {
    await coll.insertMany([
      {
        _id: 1,
        items: [
          { sku: 'a', qty: 1 },
          { sku: 'b', qty: 1 },
        ],
      },
      { _id: 2, items: [{ sku: 'b', qty: 5 }] },
    ] as Document[]);
    const r = await coll.updateMany({ 'items.sku': 'b' }, u({ $inc: { 'items.$.qty': 10 } }));
    expect(r.modifiedCount).toBe(2);
    expect((await coll.find({}).sort({ _id: 1 }).toArray()).map((d) => d.items)).toEqual([
      [
        { sku: 'a', qty: 1 },
        { sku: 'b', qty: 11 },
      ],
      [{ sku: 'b', qty: 15 }],
    ]);
  });

  it('fails with BadValue without an array match in the query, for two $ in a path, or when upserting', async () => {
    await coll.insertOne({ _id: 1, a: [1, 2] } as Document);
    expect(await serverErrorCode(coll.updateOne(byId(1), u({ $set: { 'a.$': 5 } })))).toBe(2);
    expect(await serverErrorCode(coll.updateOne({ _id: 1, a: 1 } as Document, u({ $set: { 'a.$.b.$': 5 } })))).toBe(2);
    expect(await serverErrorCode(coll.updateOne({ _id: 9, 'a.b': 1 } as Document, u({ $set: { 'a.$.c': 1 } }), { upsert: true }))).toBe(2);
    expect(await coll.findOne(byId(1))).toEqual({ _id: 1, a: [1, 2] });
  });
});

describe('$[] (all elements)', () => {
  it('updates every element, also inside embedded documents', async () => {
    await coll.insertMany([
      { _id: 1, grades: [85, 82, 80] },
      { _id: 2, grades: [88, 90, 92] },
      { _id: 3, grades: [85, 100, 90] },
    ] as Document[]);
    await coll.updateMany({}, u({ $inc: { 'grades.$[]': 10 } }));
    expect((await coll.find({}).sort({ _id: 1 }).toArray()).map((d) => d.grades)).toEqual([
      [95, 92, 90],
      [98, 100, 102],
      [95, 110, 100],
    ]);
    const c = mongo.db.collection(`a${++n}`);
    await c.insertOne({ _id: 0, a: [{ b: 0 }, { b: 1 }] } as Document);
    await c.updateOne(byId(0), u({ $set: { 'a.$[].b': 2 } }));
    expect(await c.findOne(byId(0))).toEqual({ _id: 0, a: [{ b: 2 }, { b: 2 }] });
  });

  it('needs an existing array: a missing path or a non-array is BadValue', async () => {
    await coll.insertOne({ _id: 1, x: 5 } as Document);
    expect(await serverErrorCode(coll.updateOne(byId(1), u({ $set: { 'nope.$[]': 1 } })))).toBe(2);
    expect(await serverErrorCode(coll.updateOne(byId(1), u({ $set: { 'x.$[]': 1 } })))).toBe(2);
  });
});

describe('$[<identifier>] with arrayFilters', () => {
  it('updates the elements each filter matches', async () => {
    await coll.insertMany([
      { _id: 1, grades: [95, 92, 90] },
      { _id: 2, grades: [98, 100, 102] },
      { _id: 3, grades: [95, 110, 100] },
    ] as Document[]);
    await coll.updateMany({}, u({ $set: { 'grades.$[element]': 100 } }), { arrayFilters: [{ element: { $gte: 100 } }] });
    expect((await coll.find({}).sort({ _id: 1 }).toArray()).map((d) => d.grades)).toEqual([
      [95, 92, 90],
      [98, 100, 100],
      [95, 100, 100],
    ]);
  });

  it('filters on embedded fields, nests with $[] and other identifiers, and accepts logical operators', async () => {
    await coll.insertOne({
      _id: 1,
      grades: [
        { grade: 80, mean: 75, std: 6 },
        { grade: 85, mean: 90, std: 4 },
        { grade: 85, mean: 85, std: 6 },
      ],
    } as Document);
    await coll.updateOne(byId(1), u({ $set: { 'grades.$[elem].mean': 100 } }), { arrayFilters: [{ 'elem.grade': { $gte: 85 } }] });
    expect(((await coll.findOne(byId(1))) as Document).grades.map((g: Document) => g.mean)).toEqual([75, 100, 100]);
    await coll.updateOne(byId(1), u({ $inc: { 'grades.$[elem].std': -1 } }), { arrayFilters: [{ 'elem.grade': { $gte: 85 }, 'elem.std': { $gte: 5 } }] });
    expect(((await coll.findOne(byId(1))) as Document).grades.map((g: Document) => g.std)).toEqual([6, 4, 5]);

    const c = mongo.db.collection(`a${++n}`);
    await c.insertOne({
      _id: 0,
      a: [
        [0, 1],
        [0, 1],
      ],
      b: [0, 1, 3],
      d: [
        { x: 0, c: [{ y: 0 }, { y: 1 }] },
        { x: 1, c: [{ y: 0 }] },
      ],
    } as Document);
    await c.updateOne(byId(0), u({ $set: { 'a.$[].$[j]': 2 } }), { arrayFilters: [{ j: 0 }] });
    await c.updateOne(byId(0), u({ $set: { 'b.$[i]': 2 } }), { arrayFilters: [{ $or: [{ i: 0 }, { i: 3 }] }] });
    await c.updateOne(byId(0), u({ $set: { 'd.$[i].c.$[k].z': true } }), { arrayFilters: [{ 'i.x': 0 }, { 'k.y': 0 }] });
    expect(await c.findOne(byId(0))).toEqual({
      _id: 0,
      a: [
        [2, 1],
        [2, 1],
      ],
      b: [2, 1, 2],
      d: [
        { x: 0, c: [{ y: 0, z: true }, { y: 1 }] },
        { x: 1, c: [{ y: 0 }] },
      ],
    });
  });

  it('works with every operator (here $push, $pull, $unset, $max) and in findOneAndUpdate', async () => {
    await coll.insertOne({
      _id: 0,
      a: [[0], [1]],
      s: [
        { k: 1, v: 1 },
        { k: 2, v: 9 },
      ],
    } as Document);
    await coll.updateOne(byId(0), u({ $push: { 'a.$[i]': 5 } }), { arrayFilters: [{ i: 0 }] });
    await coll.updateOne(byId(0), u({ $pull: { 'a.$[]': 1 } }));
    const after = await coll.findOneAndUpdate(byId(0), u({ $max: { 's.$[e].v': 5 }, $unset: { 's.$[f].k': '' } }), {
      arrayFilters: [{ 'e.k': { $gte: 1 } }, { 'f.v': 9 }],
      returnDocument: 'after',
    });
    expect(after).toEqual({ _id: 0, a: [[0, 5], []], s: [{ k: 1, v: 5 }, { v: 9 }] });
  });

  it('follows the operation collation (and the collection default)', async () => {
    await coll.insertOne({ _id: 0, a: ['foo', 'FOO', 'bar'] } as Document);
    await coll.updateOne(byId(0), u({ $set: { 'a.$[i]': 'x' } }), { arrayFilters: [{ i: 'foo' }], collation: { locale: 'en_US', strength: 2 } });
    expect(await coll.findOne(byId(0))).toEqual({ _id: 0, a: ['x', 'x', 'bar'] });
  });

  it('rejects bad array filters as mongod does', async () => {
    await coll.insertOne({ _id: 0, a: [0, 1] } as Document);
    // An identifier without a filter, an unused filter, a repeated identifier, two names in one filter, a capitalised name.
    expect(await serverErrorCode(coll.updateOne(byId(0), u({ $set: { 'a.$[i]': 0 } })))).toBe(2);
    expect(await serverErrorCode(coll.updateOne(byId(0), u({ $set: { 'a.$[i]': 5 } }), { arrayFilters: [{ i: 0 }, { j: 0 }] }))).toBe(9);
    expect(await serverErrorCode(coll.updateOne(byId(0), u({ $set: { 'a.$[i]': 5, 'b.$[j]': 6 } }), { arrayFilters: [{ i: 0 }, { j: 0 }, { i: 1 }] }))).toBe(9);
    expect(await serverErrorCode(coll.updateOne(byId(0), u({ $set: { 'a.$[i]': 5 } }), { arrayFilters: [{ i: 0, j: 0 }] }))).toBe(9);
    expect(await serverErrorCode(coll.updateOne(byId(0), u({ $set: { 'a.$[I]': 1 } }), { arrayFilters: [{ I: 0 }] }))).toBe(2);
    expect(await serverErrorCode(coll.updateOne(byId(0), u({ $rename: { 'a.$[]': 'b' } })))).toBe(2);
    expect(await serverErrorCode(coll.updateOne(byId(0), [{ $set: { x: 1 } }], { arrayFilters: [{ i: 0 }] }))).toBe(9);
    expect(await coll.findOne(byId(0))).toEqual({ _id: 0, a: [0, 1] });
  });

  it('conflicting paths are ConflictingUpdateOperators (40)', async () => {
    await coll.insertOne({ _id: 0, a: [0, 1] } as Document);
    expect(await serverErrorCode(coll.updateOne(byId(0), u({ $set: { 'a.$[i]': 0, 'a.0': 0 } }), { arrayFilters: [{ i: 0 }] }))).toBe(40);
    expect(await serverErrorCode(coll.updateOne(byId(0), u({ $set: { a: 1 }, $inc: { a: 1 } })))).toBe(40);
    expect(await serverErrorCode(coll.updateOne(byId(0), u({ $set: { 'x.y': 1, x: 1 } })))).toBe(40);
  });
});

describe('$pull with query conditions', () => {
  it("the manual's examples: $in, comparison, and conditions on embedded documents", async () => {
    await coll.insertOne({
      _id: 1,
      fruits: ['apples', 'pears', 'oranges', 'grapes', 'bananas'],
      vegetables: ['carrots', 'celery', 'squash', 'carrots'],
      votes: [3, 5, 6, 7, 7, 8],
      results: [
        { item: 'A', score: 5 },
        { item: 'B', score: 8 },
      ],
    } as Document);
    await coll.updateOne(
      byId(1),
      u({ $pull: { fruits: { $in: ['apples', 'oranges'] }, vegetables: 'carrots', votes: { $gte: 6 }, results: { score: 8, item: 'B' } } }),
    );
    expect(await coll.findOne(byId(1))).toEqual({
      _id: 1,
      fruits: ['pears', 'grapes', 'bananas'],
      vegetables: ['celery', 'squash'],
      votes: [3, 5],
      results: [{ item: 'A', score: 5 }],
    });
  });

  it('$elemMatch on nested arrays, $or, and operators on fields of the elements', async () => {
    await coll.insertOne({
      _id: 1,
      results: [
        {
          item: 'A',
          score: 5,
          answers: [
            { q: 1, a: 4 },
            { q: 2, a: 6 },
          ],
        },
        {
          item: 'B',
          score: 8,
          answers: [
            { q: 1, a: 8 },
            { q: 2, a: 9 },
          ],
        },
        { item: 'C', score: 3, answers: [] },
      ],
      items: [{ sku: 'x', qty: 1 }, { sku: 'y', qty: 9 }, { sku: 'z', qty: 2 }, 'loose'],
    } as Document);
    await coll.updateOne(byId(1), u({ $pull: { results: { answers: { $elemMatch: { q: 2, a: { $gte: 8 } } } } } }));
    await coll.updateOne(byId(1), u({ $pull: { results: { score: { $lt: 4 } }, items: { $or: [{ sku: 'x' }, { qty: { $gt: 5 } }] } } }));
    const doc = (await coll.findOne(byId(1))) as Document;
    expect(doc.results.map((r: Document) => r.item)).toEqual(['A']);
    expect(doc.items).toEqual([{ sku: 'z', qty: 2 }, 'loose']);
  });

  it('compares strings with the collation', async () => {
    await coll.insertOne({ _id: 1, tags: ['Foo', 'foo', 'bar'] } as Document);
    await coll.updateOne(byId(1), u({ $pull: { tags: 'FOO' } }), { collation: { locale: 'en', strength: 2 } });
    expect(await coll.findOne(byId(1))).toEqual({ _id: 1, tags: ['bar'] });
  });
});

describe('pipeline-style updates', () => {
  it("the manual's example: $set with field paths, then $unset", async () => {
    await coll.insertOne({ _id: 1, member: 'abc123', status: 'A', points: 2, misc1: 'note to self: confirm status', misc2: 'Need to activate' } as Document);
    await coll.updateOne(byId(1), [{ $set: { status: 'Modified', comments: ['$misc1', '$misc2'] } }, { $unset: ['misc1', 'misc2'] }]);
    expect(await coll.findOne(byId(1))).toEqual({
      _id: 1,
      member: 'abc123',
      status: 'Modified',
      points: 2,
      comments: ['note to self: confirm status', 'Need to activate'],
    });
  });

  it('$replaceWith, $$NOW, let variables, upserts', async () => {
    await coll.insertOne({ _id: 1, name: 'x' } as Document);
    await coll.updateOne(byId(1), [{ $replaceWith: { $mergeObjects: [{ name: 'default', quantity: 0 }, '$$ROOT'] } }, { $set: { at: '$$NOW', by: '$$who' } }], {
      let: { who: 'ann' },
    });
    const doc = (await coll.findOne(byId(1))) as Document;
    expect(doc).toMatchObject({ _id: 1, name: 'x', quantity: 0, by: 'ann' });
    expect(Object.keys(doc)[0]).toBe('_id');
    expect(doc.at).toBeInstanceOf(Date);
    const up = await coll.updateOne({ _id: 2, kind: 'k' } as Document, [{ $set: { seeded: '$kind' } }], { upsert: true });
    expect(up.upsertedId).toBe(2);
    expect(await coll.findOne(byId(2))).toEqual({ _id: 2, kind: 'k', seeded: 'k' });
  });

  it('keeps _id when a stage drops it; refuses to change it (66) and stages other than the allowed ones (72)', async () => {
    await coll.insertOne({ _id: 1, a: 1, b: 2 } as Document);
    await coll.updateOne(byId(1), [{ $project: { _id: 0, a: 1 } }]);
    expect(await coll.findOne(byId(1))).toEqual({ _id: 1, a: 1 });
    expect(await serverErrorCode(coll.updateOne(byId(1), [{ $set: { _id: 2 } }]))).toBe(66);
    expect(await serverErrorCode(coll.updateOne(byId(1), [{ $match: { a: 1 } }]))).toBe(72);
  });
});

describe('update paths and order', () => {
  it('applies fields in lexicographic order, so new fields appear in that order', async () => {
    await coll.insertOne({ _id: 1 } as Document);
    await coll.updateOne(byId(1), u({ $set: { zeta: 1, alpha: 1 }, $inc: { mid: 1 } }));
    expect(Object.keys((await coll.findOne(byId(1))) as Document)).toEqual(['_id', 'alpha', 'mid', 'zeta']);
  });

  it('$-prefixed names: nested ones are set as fields (what mongoose passes for map paths such as m.$*.b)', async () => {
    await coll.insertOne({ _id: 1, m: { k: { b: 1 } } } as Document);
    await coll.updateOne(byId(1), u({ $set: { 'm.$*.b': 3 } }));
    expect(await coll.findOne(byId(1))).toEqual({ _id: 1, m: { k: { b: 1 }, '$*': { b: 3 } } });
  });

  it('a top-level $-prefixed field is accepted by an upsert that inserts, refused on an existing document (52)', async () => {
    const doc = { $set: { phone: 25.17, $hotel: 320.1 } };
    const r = await coll.updateOne({ date: '2021-07-07' }, u(doc), { upsert: true });
    expect(r.upsertedCount).toBe(1);
    expect(await coll.findOne({ date: '2021-07-07' }, { projection: { _id: 0 } })).toEqual({ date: '2021-07-07', $hotel: 320.1, phone: 25.17 });
    expect(await serverErrorCode(coll.updateOne({ date: '2021-07-07' }, u(doc), { upsert: true }))).toBe(52);
  });
});
