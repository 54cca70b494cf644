import { beforeEach, describe, expect, it } from 'vitest';
import type { Collection, Document, Filter, Sort } from 'mongodb';
import { useDatabase } from './server';

// A sort with a limit that an index gives is read in index order and stops after the limit, as in
// mongod; everything asserted here (results, and no SORT stage with few documents examined) holds on
// a real mongod too. The results are compared with the same query sorted without the index.

interface Row {
  _id: string;
  at?: Date | Date[];
  live: boolean;
}

const mongo = useDatabase('index_order');
let coll: Collection<Row>;
let n = 0;

beforeEach(() => {
  coll = mongo.db.collection<Row>(`o${++n}`);
});

function stagesOf(plan: unknown): Document[] {
  if (Array.isArray(plan)) return plan.flatMap(stagesOf);
  if (typeof plan !== 'object' || plan === null) return [];
  const doc = plan as Document;
  return [...(typeof doc.stage === 'string' ? [doc] : []), ...Object.values(doc).flatMap(stagesOf)];
}

const base = Date.UTC(2026, 0, 1);
/** 200 documents with shuffled times, some equal, some missing, a few expired. */
async function seed(): Promise<void> {
  const docs = Array.from({ length: 200 }, (_, i): Row => ({
    _id: `d${String((i * 7919) % 200).padStart(3, '0')}`,
    ...(i % 23 === 0 ? {} : { at: new Date(base + ((i * 37) % 50) * 1000) }),
    live: i % 9 !== 0,
  }));
  await coll.insertMany(docs);
}

/** The same query sorted in memory: a hint to the natural order keeps the index out of it. */
const unindexed = (filter: Filter<Row>, sort: Sort, skip: number, limit: number) =>
  coll.find(filter).hint({ $natural: 1 }).sort(sort).skip(skip).limit(limit).toArray();

describe('sorts an index gives', () => {
  it('returns what sorting the matches would, in either direction, with skip, without a SORT stage', async () => {
    await seed();
    await coll.createIndex({ at: -1, _id: 1 });
    const cases: [Sort, number, number][] = [
      [{ at: -1, _id: 1 }, 0, 20],
      [{ at: -1, _id: 1 }, 40, 20],
      [{ at: 1, _id: -1 }, 0, 15],
      [{ at: -1 }, 0, 10],
    ];
    for (const [sort, skip, limit] of cases) {
      const hasTieBreak = JSON.stringify(sort).includes('_id');
      const filter = { live: true };
      const sorted = await coll.find(filter).sort(sort).skip(skip).limit(limit).toArray();
      const expected = await unindexed(filter, sort, skip, limit);
      if (!hasTieBreak) {
        // Ties on `at` alone may come in any order.
        expect(sorted.map((doc) => doc.at)).toEqual(expected.map((doc) => doc.at));
        continue;
      }
      expect(sorted, JSON.stringify(sort)).toEqual(expected);
      const explained = await coll.find(filter).sort(sort).skip(skip).limit(limit).explain('executionStats');
      const stages = stagesOf(explained.queryPlanner.winningPlan);
      expect(stages.map((stage) => stage.stage)).not.toContain('SORT');
      expect(stages.find((stage) => stage.keyPattern !== undefined)?.keyPattern).toEqual({ at: -1, _id: 1 });
      expect(explained.executionStats.totalDocsExamined).toBeLessThan(2 * (skip + limit));
    }
  });

  it('stays in order through inserts, updates and deletes after the first sorted read', async () => {
    await seed();
    await coll.createIndex({ at: -1, _id: 1 });
    const sort: Sort = { at: -1, _id: 1 };
    await coll.find({}).sort(sort).limit(5).toArray();
    await coll.insertOne({ _id: 'newest', at: new Date(base + 999_000), live: true });
    await coll.updateMany({ _id: { $in: ['d001', 'd150'] } }, { $set: { at: new Date(base + 500_000) } });
    await coll.updateOne({ _id: 'd002' }, { $unset: { at: '' } });
    await coll.deleteMany({ _id: { $in: ['d010', 'd011', 'd012'] } });
    await coll.replaceOne({ _id: 'd020' }, { at: new Date(base - 1000), live: false });
    for (const [skip, limit] of [
      [0, 10],
      [190, 10],
    ] as const) {
      expect(await coll.find({}).sort(sort).skip(skip).limit(limit).toArray()).toEqual(await unindexed({}, sort, skip, limit));
    }
    expect((await coll.find({}).sort(sort).limit(3).toArray()).map((doc) => doc._id)).toEqual(['newest', 'd001', 'd150']);
  });

  it('sorts in memory once a document has several values for an indexed field', async () => {
    await seed();
    await coll.createIndex({ at: 1 });
    await coll.find({}).sort({ at: 1 }).limit(5).toArray();
    await coll.insertOne({ _id: 'many', at: [new Date(base - 5000), new Date(base + 999_000)], live: true });
    const sort: Sort = { at: 1, _id: 1 };
    expect(await coll.find({}).sort(sort).limit(5).toArray()).toEqual(await unindexed({}, sort, 0, 5));
    // An array sorts ascending by its smallest element (documents without `at` come before it).
    expect(
      (
        await coll
          .find({ at: { $exists: true } })
          .sort({ at: 1 })
          .limit(1)
          .toArray()
      )[0]?._id,
    ).toBe('many');
  });

  it('leaves an equality on an indexed field to that index', async () => {
    await seed();
    await coll.createIndex({ at: -1, _id: 1 });
    await coll.createIndex({ live: 1 });
    const explained = await coll.find({ live: false }).sort({ at: -1, _id: 1 }).limit(5).explain('queryPlanner');
    const scans = stagesOf(explained.queryPlanner.winningPlan).filter((stage) => stage.keyPattern !== undefined);
    expect(scans.map((stage) => stage.keyPattern)).toContainEqual({ live: 1 });
    expect(await coll.find({ live: false }).sort({ at: -1, _id: 1 }).limit(5).toArray()).toEqual(await unindexed({ live: false }, { at: -1, _id: 1 }, 0, 5));
  });
});

describe('counting with a filter (countDocuments)', () => {
  it('counts a range on an indexed field as scanning would: one type class, bounds as given, kept through writes', async () => {
    await seed();
    await coll.createIndex({ at: 1 });
    await coll.insertMany([
      { _id: 'text', at: 'not a date' as unknown as Date, live: true },
      { _id: 'number', at: 5 as unknown as Date, live: true },
      { _id: 'null', at: null as unknown as Date, live: true },
    ]);
    const at = (seconds: number) => new Date(base + seconds * 1000);
    const filters: Filter<Row>[] = [
      { at: { $gt: at(10) } },
      { at: { $gte: at(10) } },
      { at: { $lt: at(10) } },
      { at: { $lte: at(10) } },
      { at: { $gte: at(10), $lt: at(20) } },
      { at: { $gt: at(10), $gte: at(5), $lte: at(30), $lt: at(40) } },
      { at: { $gt: at(100) } },
      { at: { $gte: 'a' as unknown as Date } },
      { at: { $lt: 10 as unknown as Date } },
    ];
    const check = async () => {
      for (const filter of filters) {
        const scanned = await coll.countDocuments(filter, { hint: { $natural: 1 } });
        expect(await coll.countDocuments(filter), JSON.stringify(filter)).toBe(scanned);
      }
    };
    await check();
    expect(await coll.countDocuments({ at: { $gte: at(0) } })).toBe(191);
    await coll.updateMany({ live: false }, { $set: { at: at(45) } });
    await coll.deleteMany({ _id: { $in: ['d003', 'd004'] } });
    await coll.insertOne({ _id: 'late', at: at(60), live: true });
    await check();
  });

  it('counts the matches, 0 for none, and still groups by a field in full', async () => {
    await seed();
    expect(await coll.countDocuments({ live: true })).toBe(177);
    expect(await coll.countDocuments({ live: true }, { skip: 170 })).toBe(7);
    expect(await coll.countDocuments({ nothing: 1 })).toBe(0);
    expect(await coll.aggregate([{ $group: { _id: null, n: { $sum: 2 }, one: { $sum: 1 } } }]).toArray()).toEqual([{ _id: null, n: 400, one: 200 }]);
    expect(await coll.aggregate([{ $match: { nothing: 1 } }, { $group: { _id: 1, n: { $sum: 1 } } }]).toArray()).toEqual([]);
    const byLive = await coll.aggregate([{ $group: { _id: '$live', n: { $sum: 1 } } }, { $sort: { _id: 1 } }]).toArray();
    expect(byLive).toEqual([
      { _id: false, n: 23 },
      { _id: true, n: 177 },
    ]);
  });
});
