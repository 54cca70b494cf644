import { beforeEach, describe, expect, it } from 'vitest';
import type { Collection, Document } from 'mongodb';
import { serverErrorCode, useDatabase } from './server';

// Expectations follow MongoDB's documentation of the `$` and `$elemMatch` projection operators
// (the examples below are the manual's).

const mongo = useDatabase('projection');
let coll: Collection<Document>;
let n = 0;

beforeEach(() => {
  coll = mongo.db.collection(`p${++n}`);
});

describe('positional projection arr.$', () => {
  beforeEach(async () => {
    await coll.insertMany([
      { _id: 1, semester: 1, grades: [70, 87, 90] },
      { _id: 2, semester: 1, grades: [90, 88, 92] },
      { _id: 3, semester: 1, grades: [85, 100, 90] },
      { _id: 4, semester: 2, grades: [79, 85, 80] },
      { _id: 5, semester: 2, grades: [88, 88, 92] },
      { _id: 6, semester: 2, grades: [95, 90, 96] },
    ] as Document[]);
  });

  it('returns the first element that matches the query condition on the array', async () => {
    const docs = await coll
      .find({ semester: 1, grades: { $gte: 85 } }, { projection: { 'grades.$': 1 } })
      .sort({ _id: 1 })
      .toArray();
    expect(docs).toEqual([
      { _id: 1, grades: [87] },
      { _id: 2, grades: [90] },
      { _id: 3, grades: [85] },
    ]);
  });

  it('with an array of documents, the element matched through a dotted path', async () => {
    const c = mongo.db.collection(`p${++n}`);
    await c.insertOne({
      _id: 7,
      grades: [
        { grade: 80, mean: 75, std: 8 },
        { grade: 85, mean: 90, std: 5 },
        { grade: 90, mean: 85, std: 3 },
      ],
    } as Document);
    expect(await c.findOne({ 'grades.mean': { $gt: 80 } }, { projection: { 'grades.$': 1 } })).toEqual({ _id: 7, grades: [{ grade: 85, mean: 90, std: 5 }] });
    // $elemMatch in the query picks the element meeting all its conditions.
    const viaElemMatch = await c.findOne({ grades: { $elemMatch: { mean: { $gt: 80 }, grade: { $gt: 85 } } } }, { projection: { 'grades.$': 1 } });
    expect(viaElemMatch).toEqual({ _id: 7, grades: [{ grade: 90, mean: 85, std: 3 }] });
    // Included fields keep their document order, and _id can be excluded.
    expect(await c.findOne({ 'grades.grade': 90 }, { projection: { _id: 0, 'grades.$': 1 } })).toEqual({ grades: [{ grade: 90, mean: 85, std: 3 }] });
  });

  it('leaves a non-array field as it is', async () => {
    const c = mongo.db.collection(`p${++n}`);
    await c.insertOne({ _id: 1, a: 5 } as Document);
    expect(await c.findOne({ a: 5 }, { projection: { 'a.$': 1 } })).toEqual({ _id: 1, a: 5 });
  });

  it('errors: no matching array position (51246), two positional projections (31276), $ mid-path (31394), exclusion (31395)', async () => {
    expect(await serverErrorCode(coll.find({ _id: 1 } as Document, { projection: { 'grades.$': 1 } }).toArray())).toBe(51246);
    expect(await serverErrorCode(coll.find({ grades: 90, semester: 1 }, { projection: { 'grades.$': 1, 'other.$': 1 } }).toArray())).toBe(31276);
    expect(await serverErrorCode(coll.find({ 'grades.x': 1 }, { projection: { 'grades.$.x': 1 } }).toArray())).toBe(31394);
    expect(await serverErrorCode(coll.find({ grades: 90 }, { projection: { 'grades.$': 0 } }).toArray())).toBe(31395);
  });
});

describe('$elemMatch projection', () => {
  beforeEach(async () => {
    await coll.insertMany([
      {
        _id: 1,
        zipcode: '63109',
        students: [
          { name: 'john', school: 102, age: 10 },
          { name: 'jess', school: 102, age: 11 },
          { name: 'jeff', school: 108, age: 15 },
        ],
      },
      { _id: 2, zipcode: '63110', students: [{ name: 'ajax', school: 100, age: 7 }] },
      {
        _id: 3,
        zipcode: '63109',
        students: [
          { name: 'ajax', school: 100, age: 7 },
          { name: 'achilles', school: 100, age: 8 },
        ],
      },
      {
        _id: 4,
        zipcode: '63109',
        students: [
          { name: 'barney', school: 102, age: 7 },
          { name: 'ruth', school: 102, age: 16 },
        ],
      },
    ] as Document[]);
  });

  it('returns only the first matching element; documents without one lose the field', async () => {
    const docs = await coll
      .find({ zipcode: '63109' }, { projection: { students: { $elemMatch: { school: 102 } } } })
      .sort({ _id: 1 })
      .toArray();
    expect(docs).toEqual([
      { _id: 1, students: [{ name: 'john', school: 102, age: 10 }] },
      { _id: 3 },
      { _id: 4, students: [{ name: 'barney', school: 102, age: 7 }] },
    ]);
    const two = await coll
      .find({ zipcode: '63109' }, { projection: { students: { $elemMatch: { school: 102, age: { $gt: 10 } } } } })
      .sort({ _id: 1 })
      .toArray();
    expect(two).toEqual([
      { _id: 1, students: [{ name: 'jess', school: 102, age: 11 }] },
      { _id: 3 },
      { _id: 4, students: [{ name: 'ruth', school: 102, age: 16 }] },
    ]);
  });

  it('puts the field after the other included fields', async () => {
    const c = mongo.db.collection(`p${++n}`);
    await c.insertOne({
      name: 'player1',
      games: [
        { game: 'abc', score: 8 },
        { game: 'xyz', score: 5 },
      ],
      joined: new Date('2020-01-01'),
      lastLogin: new Date('2020-05-01'),
    });
    const doc = (await c.findOne({}, { projection: { games: { $elemMatch: { score: { $gt: 5 } } }, joined: 1, lastLogin: 1 } })) as Document;
    expect(Object.keys(doc)).toEqual(['_id', 'joined', 'lastLogin', 'games']);
    expect(doc.games).toEqual([{ game: 'abc', score: 8 }]);
  });

  it('cannot be combined with a positional projection (31255) or used on a nested field (31275)', async () => {
    expect(
      await serverErrorCode(coll.find({ students: { $exists: true } }, { projection: { 'students.$': 1, other: { $elemMatch: { a: 1 } } } }).toArray()),
    ).toBe(31255);
    expect(await serverErrorCode(coll.find({}, { projection: { 'a.students': { $elemMatch: { school: 102 } } } }).toArray())).toBe(31275);
  });
});

describe('findOneAndUpdate with a positional projection', () => {
  it('projects the element the query matched, from the updated document', async () => {
    await coll.insertOne({
      _id: 1,
      items: [
        { sku: 'a', qty: 1 },
        { sku: 'b', qty: 2 },
      ],
    } as Document);
    const after = await coll.findOneAndUpdate(
      { _id: 1, 'items.sku': 'b' } as Document,
      { $set: { touched: true } },
      { projection: { 'items.$': 1 }, returnDocument: 'after' },
    );
    expect(after).toEqual({ _id: 1, items: [{ sku: 'b', qty: 2 }] });
  });
});
