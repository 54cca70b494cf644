import { beforeEach, describe, expect, it } from 'vitest';
import type { MongoServerError } from 'mongodb';
import type { Collection, Document } from 'mongodb';
import { serverErrorCode, useDatabase } from './server';

const mongo = useDatabase('query_options');
let coll: Collection<Document>;
let n = 0;

/** Every stage object in a plan tree (inputStage / inputStages / queryPlan, any nesting). */
function stagesOf(plan: unknown): Document[] {
  if (Array.isArray(plan)) return plan.flatMap(stagesOf);
  if (typeof plan !== 'object' || plan === null) return [];
  const doc = plan as Document;
  const own = typeof doc.stage === 'string' ? [doc] : [];
  return [...own, ...Object.values(doc).flatMap(stagesOf)];
}

beforeEach(async () => {
  coll = mongo.db.collection(`q${++n}`);
  await coll.insertMany([
    { _id: 1, a: 3, b: 'x' },
    { _id: 2, a: 1, b: 'y' },
    { _id: 3, a: 2, b: 'x' },
    { _id: 4, b: 'z' },
  ] as Document[]);
  await coll.createIndex({ a: 1 }, { name: 'a_idx', sparse: true });
});

describe('hint', () => {
  it('by name or key pattern; the plan uses the hinted index', async () => {
    expect((await coll.find({ b: 'x' }).hint('a_idx').toArray()).map((d) => d._id)).toEqual([3, 1]);
    expect((await coll.find({ b: 'x' }).hint({ a: 1 }).toArray()).map((d) => d._id)).toEqual([3, 1]);
    const explained = await coll.find({ b: 'x' }).hint('a_idx').explain('queryPlanner');
    const ixscan = stagesOf(explained.queryPlanner.winningPlan).find((s) => s.stage === 'IXSCAN');
    expect(ixscan?.indexName).toBe('a_idx');
  });

  it('a hinted sparse index returns only the documents it holds, in index order', async () => {
    expect((await coll.find({}).hint({ a: 1 }).toArray()).map((d) => d._id)).toEqual([2, 3, 1]);
    expect(await coll.countDocuments({}, { hint: 'a_idx' })).toBe(3);
  });

  it('{$natural: -1} scans in reverse insertion order', async () => {
    expect((await coll.find({}).hint({ $natural: -1 }).toArray()).map((d) => d._id)).toEqual([4, 3, 2, 1]);
  });

  it('an unknown index is BadValue on find, count, aggregate, update, delete and findAndModify', async () => {
    const wrong = 'no_such_index';
    const e = await coll
      .find({})
      .hint(wrong)
      .toArray()
      .catch((err: unknown) => err as MongoServerError);
    expect((e as MongoServerError).code).toBe(2);
    expect((e as MongoServerError).message).toContain('hint provided does not correspond to an existing index');
    expect(await serverErrorCode(mongo.db.command({ count: coll.collectionName, query: {}, hint: wrong }))).toBe(2);
    expect(await serverErrorCode(coll.aggregate([{ $match: {} }], { hint: { nope: 1 } }).toArray())).toBe(2);
    expect(await serverErrorCode(coll.updateOne({ _id: 1 } as Document, { $set: { c: 1 } }, { hint: wrong }))).toBe(2);
    expect(await serverErrorCode(coll.deleteOne({ _id: 1 } as Document, { hint: wrong }))).toBe(2);
    expect(await serverErrorCode(coll.findOneAndUpdate({ _id: 1 } as Document, { $set: { c: 1 } }, { hint: { nope: 1 } }))).toBe(2);
  });

  it('writes accept a valid hint', async () => {
    expect((await coll.updateMany({ a: { $gte: 2 } }, { $set: { c: 1 } }, { hint: 'a_idx' })).modifiedCount).toBe(2);
    expect((await coll.deleteMany({ c: 1 }, { hint: { a: 1 } })).deletedCount).toBe(2);
    expect(await coll.findOneAndDelete({ a: 1 }, { hint: { a: 1 } })).toMatchObject({ _id: 2 });
  });
});

describe('let variables', () => {
  it('find: $$var inside $expr', async () => {
    const docs = await coll
      .find({ $expr: { $gte: ['$a', '$$min'] } }, { let: { min: 2 } })
      .sort({ _id: 1 })
      .toArray();
    expect(docs.map((d) => d._id)).toEqual([1, 3]);
  });

  it('aggregate: in $match and in later stages', async () => {
    const out = await coll
      .aggregate([{ $match: { $expr: { $eq: ['$b', '$$wanted'] } } }, { $project: { _id: 1, tag: '$$tag' } }, { $sort: { _id: 1 } }], {
        let: { wanted: 'x', tag: { $concat: ['t', '-', 'x'] } },
      })
      .toArray();
    expect(out).toEqual([
      { _id: 1, tag: 't-x' },
      { _id: 3, tag: 't-x' },
    ]);
  });

  it('update, delete and findAndModify', async () => {
    expect((await coll.updateMany({ $expr: { $eq: ['$b', '$$v'] } }, { $set: { hit: true } }, { let: { v: 'x' } })).modifiedCount).toBe(2);
    expect((await coll.deleteOne({ $expr: { $eq: ['$a', '$$v'] } }, { let: { v: 1 } })).deletedCount).toBe(1);
    const after = await coll.findOneAndUpdate({ $expr: { $eq: ['$_id', '$$id'] } }, { $set: { z: 1 } }, { let: { id: 4 }, returnDocument: 'after' });
    expect(after).toMatchObject({ _id: 4, z: 1 });
  });

  it("variable names follow MongoDB's rules", async () => {
    expect(await serverErrorCode(coll.find({}, { let: { Upper: 1 } }).toArray())).toBe(16867);
    expect(await serverErrorCode(coll.find({}, { let: { 'bad-name': 1 } }).toArray())).toBe(16868);
  });
});

describe('{aggregate: 1}', () => {
  it('$documents produces the pipeline input', async () => {
    const out = await mongo.db
      .aggregate([{ $documents: [{ x: 1 }, { x: 2 }, { x: 3 }] }, { $match: { x: { $gte: 2 } } }, { $project: { _id: 0, x: 1 } }])
      .toArray();
    expect(out).toEqual([{ x: 2 }, { x: 3 }]);
  });

  it('a first stage that needs a collection is InvalidNamespace (73)', async () => {
    expect(await serverErrorCode(mongo.db.aggregate([{ $match: {} }]).toArray())).toBe(73);
  });
});
