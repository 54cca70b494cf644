import { beforeEach, describe, expect, it } from 'vitest';
import { MongoServerError } from 'mongodb';
import type { Collection, Document } from 'mongodb';
import { useDatabase } from './server';

// Only what the embedded engine and a real mongod (7.0/8.0, classic or SBE plans) agree on is
// asserted: stage names and key patterns are searched anywhere in winningPlan, because
// mongod 8 may wrap them (queryPlan, EXPRESS_*, CLUSTERED_*), and `_id` lookups only have to
// avoid a collection scan.

const mongo = useDatabase('explain');
let coll: Collection<Document>;
let n = 0;

beforeEach(() => {
  coll = mongo.db.collection(`e${++n}`);
});

/** Every stage object in a plan tree (inputStage / inputStages / queryPlan, any nesting). */
function stagesOf(plan: unknown): Document[] {
  if (Array.isArray(plan)) return plan.flatMap(stagesOf);
  if (typeof plan !== 'object' || plan === null) return [];
  const doc = plan as Document;
  const own = typeof doc.stage === 'string' ? [doc] : [];
  return [...own, ...Object.values(doc).flatMap(stagesOf)];
}

function winningPlan(explained: Document): unknown {
  const planner = (explained.queryPlanner ?? explained.stages?.[0]?.$cursor?.queryPlanner) as Document | undefined;
  expect(planner, JSON.stringify(explained)).toBeDefined();
  return planner?.winningPlan;
}

const stageNames = (explained: Document): string[] => stagesOf(winningPlan(explained)).map((s) => s.stage as string);

function indexScans(explained: Document): Document[] {
  return stagesOf(winningPlan(explained)).filter((s) => s.keyPattern !== undefined);
}

async function seedSessions(count: number): Promise<void> {
  await coll.insertMany(Array.from({ length: count }, (_, i) => ({ _id: `s${i}`, userId: `u${i % 100}`, device: `d${i % 7}`, n: i })) as Document[]);
  await coll.createIndex({ userId: 1 });
}

describe('explain: queryPlanner', () => {
  it('an equality on an indexed field is an index scan with that key pattern', async () => {
    await seedSessions(200);
    const explained = await coll.find({ userId: 'u3' }).explain('queryPlanner');
    expect(explained.ok).toBe(1);
    expect(explained.queryPlanner.namespace).toBe(`${mongo.server.dbName}.${coll.collectionName}`);
    expect(explained.queryPlanner.rejectedPlans).toBeInstanceOf(Array);
    const scans = indexScans(explained);
    expect(scans.map((s) => s.keyPattern)).toContainEqual({ userId: 1 });
    expect(scans.find((s) => s.indexName === 'userId_1')?.direction).toBe('forward');
    expect(stageNames(explained)).not.toContain('COLLSCAN');
  });

  it('an equality on an unindexed field is a collection scan', async () => {
    await seedSessions(50);
    const explained = await coll.find({ device: 'd1' }).explain('queryPlanner');
    expect(stageNames(explained)).toContain('COLLSCAN');
    expect(indexScans(explained)).toEqual([]);
  });

  it('an _id equality does not scan the collection', async () => {
    await seedSessions(50);
    const explained = await coll.find({ _id: 's7' } as Document).explain('queryPlanner');
    expect(stageNames(explained).length).toBeGreaterThan(0);
    expect(stageNames(explained)).not.toContain('COLLSCAN');
  });

  it('an indexed equality combined with other conditions still uses the index; the rest is a filter', async () => {
    await seedSessions(100);
    const explained = await coll
      .find({ userId: 'u5', n: { $gte: 0 } })
      .sort({ n: -1 })
      .limit(3)
      .explain('queryPlanner');
    expect(indexScans(explained).map((s) => s.keyPattern)).toContainEqual({ userId: 1 });
    expect(stageNames(explained)).not.toContain('COLLSCAN');
    expect(JSON.stringify(winningPlan(explained))).toContain('$gte');
  });

  it('a compound index is used when the filter pins all its fields', async () => {
    await seedSessions(100);
    await coll.createIndex({ device: 1, n: 1 });
    const explained = await coll.find({ device: 'd2', n: 9 }).explain('queryPlanner');
    expect(indexScans(explained).map((s) => s.keyPattern)).toContainEqual({ device: 1, n: 1 });
  });

  it('explains count, distinct and a $match-first aggregate with the same index choice', async () => {
    await seedSessions(100);
    const count = await mongo.db.command({ explain: { count: coll.collectionName, query: { userId: 'u1' } }, verbosity: 'queryPlanner' });
    expect(indexScans(count).map((s) => s.keyPattern)).toContainEqual({ userId: 1 });
    expect(stageNames(count)).not.toContain('COLLSCAN');

    const distinct = await coll.distinct('device', { userId: 'u1' }, { explain: 'queryPlanner' });
    expect(indexScans(distinct as unknown as Document).map((s) => s.keyPattern)).toContainEqual({ userId: 1 });

    const matchOnly = await coll.aggregate([{ $match: { userId: 'u1' } }]).explain('queryPlanner');
    expect(indexScans(matchOnly).map((s) => s.keyPattern)).toContainEqual({ userId: 1 });

    const grouped = await coll.aggregate([{ $match: { userId: 'u1' } }, { $group: { _id: '$device', c: { $sum: 1 } } }]).explain('queryPlanner');
    expect(indexScans(grouped).map((s) => s.keyPattern)).toContainEqual({ userId: 1 });

    const unindexed = await coll.aggregate([{ $match: { device: 'd3' } }]).explain('queryPlanner');
    expect(stageNames(unindexed)).toContain('COLLSCAN');
  });

  it('explain of an unsupported verbosity is refused', async () => {
    await seedSessions(10);
    await expect(mongo.db.command({ explain: { find: coll.collectionName, filter: {} }, verbosity: 'everything' })).rejects.toBeInstanceOf(MongoServerError);
  });
});

describe('explain: executionStats', () => {
  it('an indexed equality over 1,000 documents examines only the matching documents', async () => {
    await seedSessions(1000);
    const explained = await coll.find({ userId: 'u42' }).explain('executionStats');
    const stats = explained.executionStats as Document;
    expect(stats.nReturned).toBe(10);
    expect(stats.totalDocsExamined).toBe(stats.nReturned);
    expect(stats.totalKeysExamined).toBeGreaterThanOrEqual(10);
    expect(stats.totalKeysExamined).toBeLessThan(1000);
    expect(typeof stats.executionTimeMillis).toBe('number');
    expect(indexScans(explained).map((s) => s.keyPattern)).toContainEqual({ userId: 1 });
  });

  it('the same query on an unindexed field examines every document', async () => {
    await seedSessions(1000);
    const explained = await coll.find({ device: 'd3' }).explain('executionStats');
    const stats = explained.executionStats as Document;
    expect(stats.nReturned).toBe(143);
    expect(stats.totalDocsExamined).toBe(1000);
    expect(stats.totalKeysExamined).toBe(0);
  });

  it('an _id equality examines one document', async () => {
    await seedSessions(1000);
    const stats = (await coll.find({ _id: 's500' } as Document).explain('executionStats')).executionStats as Document;
    expect(stats.nReturned).toBe(1);
    expect(stats.totalDocsExamined).toBe(1);
  });

  it('explain does not open a cursor or return documents, and does not change data', async () => {
    await seedSessions(20);
    const explained = await coll.find({ userId: 'u1' }).explain('executionStats');
    expect(explained.cursor).toBeUndefined();
    expect(await coll.countDocuments()).toBe(20);
  });
});
