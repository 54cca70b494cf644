import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveEvent } from '@gatehouse/types/events';
import { createLiveBus } from '../live/live-bus';
import { createTestApp } from '../test/test-app';
import type { TestApp } from '../test/test-app';
import { createSessionDirectory, REVOKED_SESSIONS_COLLECTION, userSessionsFilter } from './directory';
import { sessionHandle } from './handle';
import type { SessionDirectory } from './directory';
import type { SessionDocument } from './store';

let t: TestApp;
let directory: SessionDirectory;
const bus = createLiveBus();

beforeAll(async () => {
  t = await createTestApp();
  directory = createSessionDirectory({ connection: t.connection, live: bus });
  await directory.ensureIndexes();
});
afterAll(() => t.close());

const sessions = () => t.connection.collection<SessionDocument>('sessions');

async function storeSession(userId: string | null, { expiresInMs = 60_000, createdAt = Date.now() } = {}): Promise<string> {
  const sid = randomBytes(24).toString('base64url');
  const session: SessionDocument['session'] = {
    cookie: { originalMaxAge: null, httpOnly: true, path: '/' },
    ...(userId ? { userId, createdAt, authenticatedAt: createdAt, absoluteExpiresAt: createdAt + 3_600_000, rememberMe: false, ip: '127.0.0.1' } : {}),
  };
  await sessions().insertOne({ _id: sid, handle: sessionHandle(sid), session, expires: new Date(Date.now() + expiresInMs), lastModified: new Date(createdAt) });
  return sid;
}

describe('session directory', () => {
  it('creates the session.userId index that listing relies on', async () => {
    const indexes = await sessions().listIndexes().toArray();
    expect(indexes.some((index) => JSON.stringify(index.key) === JSON.stringify({ 'session.userId': 1 }))).toBe(true);
    const markerIndexes = await t.connection.collection(REVOKED_SESSIONS_COLLECTION).listIndexes().toArray();
    expect(markerIndexes.find((index) => index.key.revokedAt === 1)?.expireAfterSeconds).toBe(30 * 24 * 3600);
  });

  // The embedded engine's explain renders its real planner decision, so this holds on both servers.
  it("listing a user's sessions is an index scan on session.userId, not a collection scan", async () => {
    await storeSession('u-explain');
    const explained = await sessions().find(userSessionsFilter('u-explain')).explain('queryPlanner');
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

  it("lists only the user's live sessions, newest activity first, with handles that do not contain the id", async () => {
    const older = await storeSession('u-list', { createdAt: Date.now() - 10_000 });
    const newer = await storeSession('u-list');
    await storeSession('u-list', { expiresInMs: -1000 });
    await storeSession('someone-else');
    const listed = await directory.listForUser('u-list');
    expect(listed.map((session) => session.sid)).toEqual([newer, older]);
    for (const session of listed) {
      expect(session.handle).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(session.handle).not.toContain(session.sid);
      expect(session.handle).toBe(directory.handleOf(session.sid));
    }
  });

  it("finds a session by handle only for its owner", async () => {
    const sid = await storeSession('owner');
    const handle = directory.handleOf(sid);
    expect((await directory.findForUser('owner', handle))?.sid).toBe(sid);
    expect(await directory.findForUser('intruder', handle)).toBeNull();
    expect((await directory.findByHandle(handle))?.sid).toBe(sid);
    expect(await directory.findByHandle('B'.repeat(32))).toBeNull();
  });

  it('revoke deletes the document, leaves a marker, and tells the session and its account', async () => {
    const sid = await storeSession('u-revoke');
    const sessionEvents: LiveEvent[] = [];
    const otherTabEvents: LiveEvent[] = [];
    const stop = [
      bus.subscribe({ userId: 'u-revoke', sid }, (event) => sessionEvents.push(event)),
      bus.subscribe({ userId: 'u-revoke', sid: 'another' }, (event) => otherTabEvents.push(event)),
    ];
    expect(await directory.revoke(sid, { actor: 'admin', reason: 'revoked' })).toBe(true);
    stop.forEach((unsubscribe) => unsubscribe());

    expect(await sessions().findOne({ _id: sid })).toBeNull();
    expect(await directory.wasRevoked(sid)).toMatchObject({ userId: 'u-revoke', reason: 'revoked' });
    expect(sessionEvents).toContainEqual({ type: 'session_ended', reason: 'revoked' });
    expect(otherTabEvents).toEqual([{ type: 'sessions_changed' }]);
    expect(await directory.revoke(sid, { actor: 'admin', reason: 'revoked' })).toBe(false);
  });

  it('wasRevoked is null for a session that was never revoked', async () => {
    expect(await directory.wasRevoked(await storeSession('u-clean'))).toBeNull();
  });

  it('revokeAllForUser ends every session of the user except the one kept, and no one else', async () => {
    const kept = await storeSession('u-all');
    const ended = [await storeSession('u-all'), await storeSession('u-all')];
    const bystander = await storeSession('u-other');
    const count = await directory.revokeAllForUser('u-all', { exceptSid: kept, actor: 'self', reason: 'password_changed' });
    expect(count).toBe(2);
    expect((await directory.listForUser('u-all')).map((session) => session.sid)).toEqual([kept]);
    for (const sid of ended) expect(await directory.wasRevoked(sid)).toMatchObject({ reason: 'password_changed' });
    expect(await directory.findBySid(bystander)).not.toBeNull();
  });
});
