/**
 * Regular expressions in filters cannot stall the server: a pattern that makes a backtracking
 * engine run for ages (`^(a+)+$` against `aaaa…b`) answers within a bound, and other
 * connections are served meanwhile. Against a real MongoDB the bound holds as well (PCRE either
 * answers or stops at its match limit with an error).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import type { Collection, Db, Document } from 'mongodb';
import { getServer, realMongo } from './server';
import type { TestServer } from './server';

let server: TestServer;
let client: MongoClient;
let other: MongoClient;
let db: Db;
let coll: Collection<Document>;

const EVIL = '^(a+)+$';
/** Exponential for a backtracking engine: 2^40 ways to split the a's before the final b fails. */
const victim = 'a'.repeat(40) + 'b';
const long = 'a'.repeat(200_000) + 'b';

beforeAll(async () => {
  server = await getServer('regex');
  client = new MongoClient(server.uri);
  other = new MongoClient(server.uri);
  await Promise.all([client.connect(), other.connect()]);
  db = client.db(server.dbName);
  coll = db.collection('docs');
  await coll.insertMany([
    { _id: 1, s: victim, arr: [victim, 'x'] },
    { _id: 2, s: long, arr: [long] },
    { _id: 3, s: 'aaa', arr: ['aaa', 'b'] },
  ] as Document[]);
});

afterAll(async () => {
  await Promise.all([client?.close(), other?.close()]);
  await server?.stop();
});

/** Runs `work` while pinging on another connection; returns the work's duration and the slowest ping. */
async function whilePinging<T>(work: () => Promise<T>): Promise<{ result: T | Error; ms: number; slowestPingMs: number }> {
  const admin = other.db('admin');
  await admin.command({ ping: 1 });
  let done = false;
  let slowest = 0;
  const pinger = (async () => {
    while (!done) {
      const t = performance.now();
      await admin.command({ ping: 1 });
      slowest = Math.max(slowest, performance.now() - t);
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  const t0 = performance.now();
  let result: T | Error;
  try {
    result = await work();
  } catch (e) {
    result = e as Error;
  }
  const ms = performance.now() - t0;
  done = true;
  await pinger;
  return { result, ms, slowestPingMs: slowest };
}

describe('S40: regular expressions cannot stall the server', () => {
  it('S40: a catastrophic $regex answers within a bound while another connection keeps being served', async () => {
    const { result, ms, slowestPingMs } = await whilePinging(() => coll.find({ s: { $regex: EVIL } }).toArray());
    expect(ms).toBeLessThan(3000);
    expect(slowestPingMs).toBeLessThan(1500);
    if (!realMongo) expect((result as Document[]).map((d) => d._id)).toEqual([3]);
  });

  it('S40: the same bound for BSON regex values, $in, $not, $all, arrays and $pull', async () => {
    const evil = new RegExp(EVIL);
    const { result, ms, slowestPingMs } = await whilePinging(async () => {
      const ids = async (f: Document): Promise<unknown[]> => (await coll.find(f).sort({ _id: 1 }).toArray()).map((d) => d._id);
      const out = [
        await ids({ s: evil }),
        await ids({ s: { $in: [evil, 'zzz'] } }),
        await ids({ s: { $not: evil } }),
        await ids({ arr: { $all: [evil] } }),
        await ids({ arr: evil }),
        await ids({ arr: { $elemMatch: { $regex: EVIL } } }),
      ];
      await coll.updateMany({}, { $pull: { arr: evil } } as Document);
      return out;
    });
    expect(ms).toBeLessThan(5000);
    expect(slowestPingMs).toBeLessThan(1500);
    if (!realMongo) {
      expect(result).toEqual([[3], [3], [1, 2], [3], [3], [3]]);
      expect((await coll.findOne({ _id: 3 } as Document))?.arr).toEqual(['b']);
    }
  });

  it('S40: options i, m, s and x keep their MongoDB meaning; an unknown option is refused', async () => {
    await db.collection('opts').insertMany([
      { _id: 1, s: 'Apple\nbanana' },
      { _id: 2, s: 'cherry' },
    ] as Document[]);
    const ids = async (f: Document): Promise<unknown[]> => (await db.collection('opts').find(f).sort({ _id: 1 }).toArray()).map((d) => d._id);
    expect(await ids({ s: { $regex: '^apple', $options: 'i' } })).toEqual([1]);
    expect(await ids({ s: { $regex: '^banana$', $options: 'm' } })).toEqual([1]);
    expect(await ids({ s: { $regex: '^banana$' } })).toEqual([]);
    expect(await ids({ s: { $regex: 'Apple.banana', $options: 's' } })).toEqual([1]);
    expect(await ids({ s: { $regex: 'ch err y # a comment', $options: 'x' } })).toEqual([2]);
    expect(await ids({ s: /^APPLE/i })).toEqual([1]);
    await expect(ids({ s: { $regex: 'a', $options: 'q' } })).rejects.toMatchObject({ code: 51108 });
  });
});

describe.skipIf(realMongo)('S40: patterns RE2 cannot run in linear time (engine-only: MongoDB’s PCRE accepts them)', () => {
  it('S40: backreferences, lookaround and possessive quantifiers fail loudly with 51091', async () => {
    for (const pattern of ['(a)\\1', '(?=a)a', 'a++b', '(?>a+)b']) {
      await expect(coll.find({ s: { $regex: pattern } }).toArray()).rejects.toMatchObject({ code: 51091 });
    }
  });

  it('S40: regular expressions inside mingo-run aggregation stages are refused, $match ones run', async () => {
    await expect(coll.aggregate([{ $project: { m: { $regexMatch: { input: '$s', regex: EVIL } } } }]).toArray()).rejects.toMatchObject({ code: 115 });
    await expect(coll.aggregate([{ $lookup: { from: 'docs', pipeline: [{ $match: { s: { $regex: EVIL } } }], as: 'x' } }]).toArray()).rejects.toMatchObject({
      code: 115,
    });
    await expect(coll.countDocuments({ $expr: { $regexMatch: { input: '$s', regex: EVIL } } })).rejects.toMatchObject({ code: 115 });
    expect(await coll.aggregate([{ $match: { s: { $regex: EVIL } } }, { $project: { _id: 1 } }]).toArray()).toEqual([{ _id: 3 }]);
  });
});
