import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient, MongoServerError } from 'mongodb';
import type { Collection, Db, Document } from 'mongodb';
import { getServer, realMongo } from './server';
import type { TestServer } from './server';

// What embedded-mongo does not implement must fail loudly, with the code mongod gives in the
// nearest situation (no geo/text index, JavaScript disabled) or CommandNotSupported (115).
// A real server supports all of this, hence engine-only.
describe.skipIf(realMongo)('unsupported features fail loudly (engine-only: a real server supports them)', () => {
  let server: TestServer;
  let client: MongoClient;
  let db: Db;
  let coll: Collection<Document>;

  async function failure(p: Promise<unknown>): Promise<MongoServerError> {
    const e = await p.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(MongoServerError);
    return e as MongoServerError;
  }

  beforeAll(async () => {
    server = await getServer('unsupported');
    client = new MongoClient(server.uri);
    await client.connect();
    db = client.db(server.dbName);
    coll = db.collection('things');
    await coll.insertOne({ name: 'a', loc: { type: 'Point', coordinates: [0, 0] } });
  });

  afterAll(async () => {
    await client?.close();
    await server?.stop();
  });

  it('$where and $function: server-side JavaScript is disabled', async () => {
    const where = await failure(coll.find({ $where: 'this.name === "a"' }).toArray());
    expect(where.code).toBe(2);
    expect(where.message).toContain('no globalScriptEngine');
    const fn = await failure(coll.aggregate([{ $set: { x: { $function: { body: 'function() { return 1; }', args: [], lang: 'js' } } } }]).toArray());
    expect(fn.code).toBe(115);
    expect((await failure(coll.aggregate([{ $group: { _id: null, x: { $accumulator: {} } } }]).toArray())).code).toBe(115);
  });

  it('text and geospatial queries and indexes', async () => {
    expect((await failure(coll.find({ $text: { $search: 'a' } }).toArray())).code).toBe(27);
    expect((await failure(coll.find({ loc: { $near: { $geometry: { type: 'Point', coordinates: [0, 0] } } } }).toArray())).code).toBe(291);
    expect((await failure(coll.find({ loc: { $geoWithin: { $centerSphere: [[0, 0], 1] } } }).toArray())).code).toBe(115);
    expect((await failure(coll.createIndex({ loc: '2dsphere' }))).code).toBe(67);
    expect((await failure(coll.createIndex({ name: 'text' }))).code).toBe(67);
    expect((await failure(coll.aggregate([{ $geoNear: { near: [0, 0], distanceField: 'd' } }]).toArray())).code).toBe(115);
  });

  it('$out, $merge, views, time series, $jsonSchema', async () => {
    expect((await failure(coll.aggregate([{ $out: 'copy' }]).toArray())).code).toBe(115);
    expect((await failure(coll.aggregate([{ $merge: { into: 'copy' } }]).toArray())).code).toBe(115);
    expect((await failure(db.createCollection('v', { viewOn: 'things', pipeline: [] }))).code).toBe(115);
    expect((await failure(db.createCollection('ts', { timeseries: { timeField: 't' } }))).code).toBe(115);
    expect((await failure(coll.find({ $jsonSchema: { required: ['name'] } }).toArray())).code).toBe(115);
    expect((await failure(db.command({ collMod: 'things', viewOn: 'x', pipeline: [] }))).code).toBe(115);
  });

  it('what cannot honour a collation refuses it instead of ignoring it', async () => {
    const ci = { locale: 'en', strength: 2 };
    expect((await failure(coll.find({ $expr: { $eq: ['$name', 'A'] } }, { collation: ci }).toArray())).code).toBe(115);
    expect(
      (await failure(coll.aggregate([{ $lookup: { from: 'x', localField: 'name', foreignField: 'n', as: 'j' } }], { collation: ci }).toArray())).code,
    ).toBe(115);
    expect((await failure(coll.aggregate([{ $project: { same: { $eq: ['$name', 'A'] } } }], { collation: ci }).toArray())).code).toBe(115);
    expect((await failure(coll.find({}, { collation: { locale: 'fr', backwards: true } }).toArray())).code).toBe(115);
    // Collation-neutral stages run: $group keys are grouped by the collation.
    const grouped = await coll.aggregate([{ $group: { _id: { $toUpper: '$name' }, n: { $sum: 1 } } }], { collation: ci }).toArray();
    expect(grouped).toEqual([{ _id: 'A', n: 1 }]);
  });
});
