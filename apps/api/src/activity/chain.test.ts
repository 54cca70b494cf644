import supertest from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mongo } from 'mongoose';
import { createAccount } from '../test/accounts';
import { createTestApp } from '../test/test-app';
import type { TestApp } from '../test/test-app';
import { ACTIVITY_COLLECTION, createActivityLog } from './activity-log';
import type { ActivityLog } from './activity-log';
import { GENESIS_HASH } from './chain';
import type { ActivityDoc } from './chain';
import { verifyActivityChain } from './verify-chain';

const DAY = 24 * 3600;
const RETENTION = 365 * DAY;

let t: TestApp;
let log: ActivityLog;
const entries = () => t.connection.collection<ActivityDoc>(ACTIVITY_COLLECTION);
const verify = (options: { retentionSeconds?: number; now?: Date } = {}) => verifyActivityChain(t.connection, { retentionSeconds: RETENTION, ...options });
const bySeq = async (seq: number) => {
  const doc = await entries().findOne({ seq });
  if (!doc) throw new Error(`no entry ${seq}`);
  return doc;
};

beforeAll(async () => {
  t = await createTestApp();
  log = createActivityLog({ connection: t.connection, live: { publishToUser: () => {} }, retentionSeconds: RETENTION });
});
afterAll(() => t.close());
// Each test starts a trail of its own.
beforeEach(async () => {
  await entries().deleteMany({});
});

async function recordSome(count: number, userId = new mongo.ObjectId().toHexString()): Promise<string> {
  for (let index = 0; index < count; index += 1) {
    await log.record({
      userId,
      type: index % 2 ? 'sign_out' : 'sign_in',
      ip: `203.0.113.${index}`,
      device: { browser: 'Firefox', os: 'Linux', platform: 'desktop' },
    });
  }
  return userId;
}

describe('the activity chain (S47)', () => {
  it('links every entry to the one before, from the genesis hash, and verifies', async () => {
    await recordSome(5);
    const first = await bySeq(1);
    const second = await bySeq(2);
    expect(first.prevHash).toBe(GENESIS_HASH);
    expect(second.prevHash).toBe(first.hash);
    expect(second.prevAt?.toISOString()).toBe(first.at.toISOString());
    const report = await verify();
    expect(report).toMatchObject({ isIntact: true, checked: 5, legacy: 0, problem: null, head: { seq: 5 } });
    expect(report.head?.hash).toBe((await bySeq(5)).hash);
  });

  it('S47: keeps one unbroken chain when many writers (two app instances) record at once', async () => {
    const other = createActivityLog({ connection: t.connection, live: { publishToUser: () => {} }, retentionSeconds: RETENTION });
    const userId = new mongo.ObjectId().toHexString();
    await Promise.all(
      Array.from({ length: 60 }, (_, index) => (index % 2 ? log : other).record({ userId, type: 'sign_in_failed', ip: `198.51.100.${index}` })),
    );
    const seqs = (await entries().find({}).sort({ seq: 1 }).toArray()).map((doc) => doc.seq);
    expect(seqs).toEqual(Array.from({ length: 60 }, (_, index) => index + 1));
    expect(await verify()).toMatchObject({ isIntact: true, checked: 60 });
  });

  it('S47: 30 parallel sign-ins through the API, failed and not, leave one unbroken chain', async () => {
    const account = await createAccount(t);
    const attempts = await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        supertest(t.app)
          .post('/api/auth/login')
          .send({ email: account.email, password: index % 3 ? account.password : 'not the password' }),
      ),
    );
    expect(attempts.map((res) => res.status).sort()).toEqual([...Array(20).fill(200), ...Array(10).fill(401)]);
    await t.services.jobs.settled();
    const report = await verify();
    expect(report).toMatchObject({ isIntact: true, problem: null });
    expect(report.checked).toBe(await entries().countDocuments({}));
    expect(report.checked).toBeGreaterThanOrEqual(30);
  });

  it('S47: one altered field of one entry -> verify names that entry', async () => {
    await recordSome(6);
    const target = await bySeq(4);
    await entries().updateOne({ _id: target._id }, { $set: { type: 'sign_out', isSuspicious: true } });
    const report = await verify();
    expect(report.isIntact).toBe(false);
    expect(report.problem).toMatchObject({ seq: 4, id: target._id.toHexString(), kind: 'changed' });
    expect(report.checked).toBe(3);
  });

  it('S47: an altered time, IP or user id is caught too', async () => {
    await recordSome(3);
    const second = await bySeq(2);
    await entries().updateOne({ _id: second._id }, { $set: { at: new Date(second.at.getTime() - 60_000) } });
    expect((await verify()).problem).toMatchObject({ seq: 2, kind: 'changed' });
    await entries().updateOne({ _id: second._id }, { $set: { at: second.at, ip: '192.0.2.99' } });
    expect((await verify()).problem).toMatchObject({ seq: 2, kind: 'changed', detail: expect.stringMatching(/personal fields/) });
    await entries().updateOne({ _id: second._id }, { $set: { ip: second.ip ?? null, userId: new mongo.ObjectId().toHexString() } });
    expect((await verify()).problem).toMatchObject({ seq: 2, kind: 'changed' });
  });

  it('S47: an entry removed from the middle or the start -> verify names the missing one', async () => {
    await recordSome(5);
    await entries().deleteOne({ seq: 3 });
    expect((await verify()).problem).toMatchObject({ seq: 3, kind: 'removed' });
    await entries().deleteMany({ seq: { $lte: 3 } });
    // The first entry left says when the one before it was recorded: well within retention, so not expired.
    expect((await verify()).problem).toMatchObject({ seq: 3, kind: 'removed', detail: expect.stringMatching(/within retention/) });
  });

  it('tells entries that retention removed from the start apart, and counts them', async () => {
    await recordSome(4);
    await entries().deleteMany({ seq: { $lte: 2 } });
    const later = new Date(Date.now() + 2 * RETENTION * 1000);
    expect(await verify({ now: later })).toMatchObject({ isIntact: true, expired: 2, checked: 2 });
  });

  it('S47: an entry forged with a recomputed hash still breaks the link of the next one', async () => {
    await recordSome(3);
    const second = await bySeq(2);
    await entries().updateOne({ _id: second._id }, { $set: { hash: 'f'.repeat(64) } });
    expect((await verify()).problem).toMatchObject({ seq: 2, kind: 'changed' });
  });

  it('skips and counts entries recorded before the chain existed', async () => {
    await entries().insertOne({
      _id: new mongo.ObjectId(),
      userId: 'legacy',
      type: 'sign_in',
      at: new Date(Date.now() - 1000),
      actor: 'self',
      device: null,
      ip: null,
      isSuspicious: false,
    });
    await recordSome(2);
    expect(await verify()).toMatchObject({ isIntact: true, legacy: 1, checked: 2 });
  });

  it('keeps at from going backwards along the chain, so retention removes a prefix only', async () => {
    await recordSome(1);
    const first = await bySeq(1);
    // As if another instance's clock ran ahead: the next entry is not dated before it.
    const ahead = new Date(Date.now() + 60_000);
    await entries().deleteMany({});
    await entries().insertOne({ ...first, at: ahead, hash: first.hash });
    await recordSome(1);
    expect((await bySeq(2)).at.getTime()).toBe(ahead.getTime());
  });
});

describe('anonymiseUser', () => {
  it('removes who the entries were about, leaves others alone, and the chain still verifies', async () => {
    const leaving = await recordSome(3);
    const staying = await recordSome(2);
    await log.record({ userId: leaving, type: 'passkey_added', passkeyName: 'Ada’s phone' });
    expect(await log.anonymiseUser(leaving)).toBe(4);

    const anonymised = await entries().find({ anonymised: true }).toArray();
    expect(anonymised).toHaveLength(4);
    for (const doc of anonymised) {
      expect(doc).not.toHaveProperty('userId');
      expect(doc).not.toHaveProperty('ip');
      expect(doc).not.toHaveProperty('device');
      expect(doc).not.toHaveProperty('passkeyName');
      expect(doc).not.toHaveProperty('personalSalt');
    }
    expect(await log.listForUser(leaving)).toEqual([]);
    expect(await log.listForUser(staying)).toHaveLength(2);
    expect(await verify()).toMatchObject({ isIntact: true, checked: 6, anonymised: 4 });
  });

  it('S47: an anonymised entry whose facts change, or that regains personal fields, is caught', async () => {
    const userId = await recordSome(3);
    await log.anonymiseUser(userId);
    const second = await bySeq(2);
    await entries().updateOne({ _id: second._id }, { $set: { userId: 'someone-else' } });
    expect((await verify()).problem).toMatchObject({ seq: 2, kind: 'changed', detail: expect.stringMatching(/anonymised, yet/) });
    await entries().updateOne({ _id: second._id }, { $unset: { userId: '' }, $set: { actor: 'admin' } });
    expect((await verify()).problem).toMatchObject({ seq: 2, kind: 'changed' });
  });

  it('S47: personal fields removed without the anonymised marker are caught', async () => {
    await recordSome(2);
    const first = await bySeq(1);
    await entries().updateOne({ _id: first._id }, { $unset: { ip: '', device: '' } });
    expect((await verify()).problem).toMatchObject({ seq: 1, kind: 'changed', detail: expect.stringMatching(/personal fields/) });
  });
});

describe('retention (S47)', () => {
  it('is a TTL index on the entry time, moved in place when ACTIVITY_RETENTION_DAYS changes', async () => {
    const ttlOf = async () => (await entries().listIndexes().toArray()).find((index) => JSON.stringify(index.key) === '{"at":1}')?.expireAfterSeconds;
    expect(await ttlOf()).toBe(RETENTION);
    const shorter = createActivityLog({ connection: t.connection, live: { publishToUser: () => {} }, retentionSeconds: 30 * DAY });
    await shorter.ensureIndexes();
    expect(await ttlOf()).toBe(30 * DAY);
    await log.ensureIndexes();
    expect(await ttlOf()).toBe(RETENTION);
  });
});
