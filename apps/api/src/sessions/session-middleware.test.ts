import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivityListResponseSchema } from '@gatehouse/types/activity';
import { createTestApp } from '../test/test-app';
import type { TestApp } from '../test/test-app';
import { TEST_SECRET } from '../test/test-config';
import { cookieHeader, issuedCookie, unsignSid } from '../test/cookies';
import { register, signIn } from '../test/sign-in';
import { sessionHandle } from './handle';
import { FOLLOW_UP_GRACE_MS, SESSION_MARKERS_COLLECTION } from './registry';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('session lifecycle middleware', () => {
  it('a replayed revoked cookie is refused, cleared, and recorded as suspicious for the account', async () => {
    const owner = t.agent();
    const credentials = await register(owner);
    const stolen = issuedCookie((await signIn(t.agent(), credentials)).response);
    await t.services.registry.endSession(unsignSid(stolen, TEST_SECRET), { reason: 'revoked', actor: 'self' });

    const replay = await supertest(t.app).get('/api/auth/me').set('Cookie', cookieHeader(stolen));
    expect(replay.status).toBe(401);
    expect(String(replay.headers['set-cookie'])).toMatch(/^gh\.sid=;/);

    const { events } = ActivityListResponseSchema.parse((await owner.get('/api/activity')).body);
    expect(events[0]).toMatchObject({ type: 'revoked_session_reused', isSuspicious: true });
  });

  it('a cookie of a session that merely expired or signed out is not reported as theft', async () => {
    const agent = t.agent();
    const credentials = await register(agent);
    const cookie = issuedCookie((await signIn(agent, credentials)).response);
    await agent.post('/api/auth/logout');
    expect((await supertest(t.app).get('/api/auth/me').set('Cookie', cookieHeader(cookie))).status).toBe(401);
    const again = t.agent();
    await signIn(again, credentials);
    const { events } = ActivityListResponseSchema.parse((await again.get('/api/activity')).body);
    expect(events.map((event) => event.type)).not.toContain('revoked_session_reused');
  });

  it('after its own tab was told it ended, its requests in flight and one later follow-up are expected; any further use is theft', async () => {
    const owner = t.agent();
    const credentials = await register(owner);
    const revokedDevice = issuedCookie((await signIn(t.agent(), credentials)).response);
    const sid = unsignSid(revokedDevice, TEST_SECRET);
    await t.services.registry.endSession(sid, { reason: 'revoked', actor: 'self' });
    await t.services.registry.acknowledgeEnded(sid);

    const replays = async () => {
      const { events } = ActivityListResponseSchema.parse((await owner.get('/api/activity')).body);
      return events.filter((event) => event.type === 'revoked_session_reused').length;
    };
    const replay = async () => (await supertest(t.app).get('/api/auth/me').set('Cookie', cookieHeader(revokedDevice))).status;
    // Requests the tab had in flight when it was told all arrive within the grace window.
    expect(await Promise.all([replay(), replay(), replay()])).toEqual([401, 401, 401]);
    expect(await replays()).toBe(0);

    // Later, as if the tab was told long ago: one follow-up (the tab clearing its cookie) is still expected.
    await t.connection
      .collection(SESSION_MARKERS_COLLECTION)
      .updateOne({ _id: sessionHandle(sid) as never }, { $set: { notifiedAt: new Date(Date.now() - FOLLOW_UP_GRACE_MS - 1000), followUpUsed: false } });
    expect(await replay()).toBe(401);
    expect(await replays()).toBe(0);
    expect(await replay()).toBe(401);
    expect(await replays()).toBe(1);
  });

  it('a sign-in carrying a stale cookie still works', async () => {
    const credentials = await register(t.agent());
    const stale = issuedCookie((await signIn(t.agent(), credentials)).response);
    await t.services.registry.endSession(unsignSid(stale, TEST_SECRET), { reason: 'revoked', actor: 'admin' });
    const res = await supertest(t.app).post('/api/auth/login').set('Cookie', cookieHeader(stale)).send(credentials);
    expect(res.status).toBe(200);
    expect(unsignSid(issuedCookie(res), TEST_SECRET)).not.toBe(unsignSid(stale, TEST_SECRET));
  });
});
