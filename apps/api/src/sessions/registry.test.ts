import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../test/test-app';
import type { TestApp } from '../test/test-app';
import { sessionHandle } from './handle';
import { createSessionRegistry, SESSION_MARKERS_COLLECTION, SESSIONS_COLLECTION } from './registry';
import type { AccountSource, SessionEvents, SessionRegistry } from './registry';
import type { SessionDocument } from './store';

let t: TestApp;
let registry: SessionRegistry;
const bumped: string[] = [];
/** Sessions here belong to made-up user ids; the account side is the app's own in the other suites. */
const accounts: AccountSource = {
  load: () => Promise.resolve(null),
  bumpVersion: (userId) => {
    bumped.push(userId);
    return Promise.resolve(bumped.length);
  },
};

beforeAll(async () => {
  t = await createTestApp();
  registry = createSessionRegistry({ connection: t.connection, config: t.config, accounts });
  await registry.ensureIndexes();
});
afterAll(() => t.close());

const sessions = () => t.connection.collection<SessionDocument>(SESSIONS_COLLECTION);

async function storeSession(userId: string | null, { expiresInMs = 60_000, createdAt = Date.now() } = {}): Promise<string> {
  const sid = randomBytes(24).toString('base64url');
  const session: SessionDocument['session'] = {
    cookie: { originalMaxAge: null, httpOnly: true, path: '/' },
    ...(userId ? { userId, createdAt, authenticatedAt: createdAt, absoluteExpiresAt: createdAt + 3_600_000, rememberMe: false, ip: '127.0.0.1' } : {}),
  };
  await sessions().insertOne({ _id: sid, handle: sessionHandle(sid), session, expires: new Date(Date.now() + expiresInMs), lastModified: new Date(createdAt) });
  return sid;
}

describe('session registry', () => {
  it('creates the session.userId index that listing relies on', async () => {
    const indexes = await sessions().listIndexes().toArray();
    expect(indexes.some((index) => JSON.stringify(index.key) === JSON.stringify({ 'session.userId': 1 }))).toBe(true);
    const markerIndexes = await t.connection.collection(SESSION_MARKERS_COLLECTION).listIndexes().toArray();
    expect(markerIndexes.find((index) => index.key.revokedAt === 1)?.expireAfterSeconds).toBe(30 * 24 * 3600);
  });

  // The embedded engine's explain renders its real planner decision, so this holds on both servers.
  it("listing a user's sessions is an index scan on session.userId, not a collection scan", async () => {
    await storeSession('u-explain');
    const explained = await sessions()
      .find({ 'session.userId': 'u-explain', expires: { $gt: new Date() } })
      .explain('queryPlanner');
    // Stages are searched anywhere in the tree: mongod 8 may nest them (queryPlan, inputStages).
    const stages: { stage?: unknown; keyPattern?: unknown }[] = [];
    const collect = (node: unknown): void => {
      if (typeof node !== 'object' || node === null) return;
      if ('stage' in node) stages.push(node);
      Object.values(node).forEach(collect);
    };
    collect(explained.queryPlanner?.winningPlan);
    expect(stages.map((stage) => stage.stage)).not.toContain('COLLSCAN');
    expect(stages.filter((stage) => String(stage.stage).includes('IXSCAN')).map((stage) => stage.keyPattern)).toContainEqual({ 'session.userId': 1 });
  });

  it('pages live sessions most recently active first, reading the first page in index order rather than sorting the store', async () => {
    const now = Date.now();
    for (let index = 0; index < 60; index += 1) await storeSession(`u-page-${index % 15}`, { createdAt: now - ((index * 7) % 60) * 1000 });
    await storeSession('u-page-expired', { expiresInMs: -1000 });
    const live = (
      await sessions()
        .find({ expires: { $gt: new Date() } })
        .toArray()
    )
      .sort((a, b) => (b.lastModified?.getTime() ?? 0) - (a.lastModified?.getTime() ?? 0) || (a._id < b._id ? -1 : a._id > b._id ? 1 : 0))
      .map((doc) => doc._id);
    const first = await registry.page({ page: 1, pageSize: 20 });
    const second = await registry.page({ page: 2, pageSize: 20 });
    expect(first.total).toBe(live.length);
    expect([...first.sessions, ...second.sessions].map((session) => session.sid)).toEqual(live.slice(0, 40));

    const explained = await sessions()
      .find({ expires: { $gt: new Date() } })
      .sort({ lastModified: -1, _id: 1 })
      .limit(20)
      .explain('executionStats');
    const stages: { stage?: unknown; keyPattern?: unknown }[] = [];
    const collect = (node: unknown): void => {
      if (typeof node !== 'object' || node === null) return;
      if ('stage' in node) stages.push(node);
      Object.values(node).forEach(collect);
    };
    collect(explained.queryPlanner?.winningPlan);
    expect(stages.map((stage) => stage.stage)).not.toContain('SORT');
    expect(stages.map((stage) => stage.keyPattern)).toContainEqual({ lastModified: -1, _id: 1 });
    expect(explained.executionStats?.totalDocsExamined).toBeLessThan(live.length / 2);
  });

  it("lists only the user's live sessions, newest activity first, with handles that do not contain the id", async () => {
    const older = await storeSession('u-list', { createdAt: Date.now() - 10_000 });
    const newer = await storeSession('u-list');
    await storeSession('u-list', { expiresInMs: -1000 });
    await storeSession('someone-else');
    const listed = await registry.listForUser('u-list');
    expect(listed.map((session) => session.sid)).toEqual([newer, older]);
    for (const session of listed) {
      expect(session.handle).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(session.handle).not.toContain(session.sid);
      expect(session.handle).toBe(sessionHandle(session.sid));
    }
  });

  it('finds a session by handle only for its owner', async () => {
    const sid = await storeSession('owner');
    const handle = sessionHandle(sid);
    expect((await registry.findForUser('owner', handle))?.sid).toBe(sid);
    expect(await registry.findForUser('intruder', handle)).toBeNull();
    expect((await registry.findByHandle(handle))?.sid).toBe(sid);
    expect(await registry.findByHandle('B'.repeat(32))).toBeNull();
  });

  it('ending a session deletes the document, leaves a marker, and announces it once', async () => {
    const sid = await storeSession('u-revoke');
    const ended: SessionEvents['ended'][] = [];
    const stop = registry.events.on('ended', (event) => {
      ended.push(event);
    });
    expect(await registry.endSession(sid, { reason: 'revoked', actor: 'admin' })).toBe(true);
    expect(await registry.endSession(sid, { reason: 'revoked', actor: 'admin' })).toBe(false);
    stop();

    expect(await sessions().findOne({ _id: sid })).toBeNull();
    expect(await registry.check('u-revoke', sid, undefined)).toEqual({ kind: 'ended', reason: 'revoked' });
    expect(ended).toEqual([
      {
        userId: 'u-revoke',
        cause: { reason: 'revoked', actor: 'admin' },
        sessions: [{ sid, handle: sessionHandle(sid), device: expect.anything() as unknown, ip: '127.0.0.1' }],
      },
    ]);
  });

  it('a session gone without a marker is "vanished", one still there is "alive"', async () => {
    const alive = await storeSession('u-watch');
    expect((await registry.check('u-watch', alive, undefined)).kind).toBe('alive');
    expect(await registry.check('u-watch', randomBytes(24).toString('base64url'), undefined)).toEqual({ kind: 'vanished' });
  });

  it('ending every session of an account moves its version on first, keeps the one asked, and touches no one else', async () => {
    const kept = await storeSession('u-all');
    const ended = [await storeSession('u-all'), await storeSession('u-all')];
    const bystander = await storeSession('u-other');
    const count = await registry.endAccountSessions('u-all', { reason: 'password_changed', actor: 'self' }, { exceptSid: kept });
    expect(count).toBe(2);
    expect(bumped).toContain('u-all');
    expect((await registry.listForUser('u-all')).map((session) => session.sid)).toEqual([kept]);
    for (const sid of ended) expect(await registry.check('u-all', sid, undefined)).toEqual({ kind: 'ended', reason: 'password_changed' });
    expect(await registry.findBySid(bystander)).not.toBeNull();
  });
});
