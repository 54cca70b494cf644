import { describe, expect, it } from 'vitest';
import { MongoServerError } from 'mongodb';
import type { Document } from 'mongodb';
import { useDatabase } from './server';

// A write that fails a collection's validator reports why (MongoDB 5.0+): errInfo.details names the
// failing clauses with the reasons and values mongod gives (its doc_validation_error_test cases).

const mongo = useDatabase('validation_errors');
let n = 0;

async function collectionWith(validator: Document): Promise<ReturnType<typeof mongo.db.collection>> {
  return mongo.db.createCollection(`v${++n}`, { validator });
}

/** errInfo of a failed write: on the error itself (findAndModify, insertOne) or its first write error. */
async function errInfoOf(operation: Promise<unknown>): Promise<Document> {
  const error = await operation.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(MongoServerError);
  const serverError = error as MongoServerError & { writeErrors?: { errInfo?: Document }[] };
  expect(serverError.code).toBe(121);
  return (serverError.errInfo ?? serverError.writeErrors?.[0]?.errInfo) as Document;
}

describe('document validation failures', () => {
  it('findAndModify reports the failing comparison with the value it considered', async () => {
    const c = await collectionWith({ age: { $gte: 18 } });
    await c.insertOne({ _id: 1, age: 30 } as Document);
    const errInfo = await errInfoOf(c.findOneAndUpdate({ _id: 1 } as Document, { $set: { age: 10 } }));
    expect(errInfo).toEqual({
      failingDocumentId: 1,
      details: { operatorName: '$gte', specifiedAs: { age: { $gte: 18 } }, reason: 'comparison failed', consideredValue: 10 },
    });
  });

  it('an insert missing the field is reported as "field was missing"', async () => {
    const c = await collectionWith({ a: { $eq: 2 } });
    const errInfo = await errInfoOf(c.insertOne({ _id: 1, b: 1 } as Document));
    expect(errInfo.details).toEqual({ operatorName: '$eq', specifiedAs: { a: { $eq: 2 } }, reason: 'field was missing' });
  });

  it('several operators on a field are an implicit $and listing the clause that failed', async () => {
    const c = await collectionWith({ a: { $gt: 0, $lt: 10 } });
    await c.insertOne({ _id: 1, a: 5 } as Document);
    const errInfo = await errInfoOf(c.updateOne({ _id: 1 } as Document, { $set: { a: 11 } }));
    expect(errInfo.details).toEqual({
      operatorName: '$and',
      clausesNotSatisfied: [{ index: 1, details: { operatorName: '$lt', specifiedAs: { a: { $lt: 10 } }, reason: 'comparison failed', consideredValue: 11 } }],
    });
  });

  it('$or lists every clause; $in an array field considers its elements', async () => {
    const or = await collectionWith({ $or: [{ a: { $lt: 10 } }, { a: { $gt: 20 } }] });
    expect((await errInfoOf(or.insertOne({ a: 15 }))).details).toEqual({
      operatorName: '$or',
      clausesNotSatisfied: [
        { index: 0, details: { operatorName: '$lt', specifiedAs: { a: { $lt: 10 } }, reason: 'comparison failed', consideredValue: 15 } },
        { index: 1, details: { operatorName: '$gt', specifiedAs: { a: { $gt: 20 } }, reason: 'comparison failed', consideredValue: 15 } },
      ],
    });
    const inArray = await collectionWith({ 'a.b': { $in: [5, 6, 7] } });
    expect((await errInfoOf(inArray.insertOne({ a: [{ b: [1, 2] }, { b: [3, 4] }] }))).details).toEqual({
      operatorName: '$in',
      specifiedAs: { 'a.b': { $in: [5, 6, 7] } },
      reason: 'no matching value found in array',
      consideredValues: [1, 2, 3, 4],
    });
  });

  it('$not and $nor explain the clause that held', async () => {
    const not = await collectionWith({ a: { $not: { $lt: 10 } } });
    expect((await errInfoOf(not.insertOne({ a: 9 }))).details).toEqual({
      operatorName: '$not',
      details: { operatorName: '$lt', specifiedAs: { a: { $lt: 10 } }, reason: 'comparison succeeded', consideredValue: 9 },
    });
    const nor = await collectionWith({ $nor: [{ a: { $gt: 10 } }, { b: { $lt: 10 } }] });
    expect((await errInfoOf(nor.insertOne({ a: 9, b: 9 }))).details).toEqual({
      operatorName: '$nor',
      clausesSatisfied: [{ index: 1, details: { operatorName: '$lt', specifiedAs: { b: { $lt: 10 } }, reason: 'comparison succeeded', consideredValue: 9 } }],
    });
  });
});
