import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivityListResponseSchema } from '@gatehouse/types/activity';
import { createTestApp } from '../test/test-app';
import type { TestApp } from '../test/test-app';
import { cookieHeader, issuedCookie, login, register, unsignSid } from '../test/fixtures';
import { TEST_SECRET } from '../test/test-config';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('session lifecycle middleware', () => {
  it('a replayed revoked cookie is refused, cleared, and recorded as suspicious for the account', async () => {
    const owner = t.agent();
    const credentials = await register(owner);
    const stolen = issuedCookie(await login(t.agent(), credentials));
    await t.services.directory.revoke(unsignSid(stolen, TEST_SECRET), { actor: 'self', reason: 'revoked' });

    const replay = await supertest(t.app).get('/api/auth/me').set('Cookie', cookieHeader(stolen));
    expect(replay.status).toBe(401);
    expect(String(replay.headers['set-cookie'])).toMatch(/^gh\.sid=;/);

    const { events } = ActivityListResponseSchema.parse((await owner.get('/api/activity')).body);
    expect(events[0]).toMatchObject({ type: 'revoked_session_reused', isSuspicious: true });
  });

  it('a cookie of a session that merely expired or signed out is not reported as theft', async () => {
    const agent = t.agent();
    const credentials = await register(agent);
    const cookie = issuedCookie(await login(agent, credentials));
    await agent.post('/api/auth/logout');
    expect((await supertest(t.app).get('/api/auth/me').set('Cookie', cookieHeader(cookie))).status).toBe(401);
    const again = t.agent();
    await login(again, credentials);
    const { events } = ActivityListResponseSchema.parse((await again.get('/api/activity')).body);
    expect(events.map((event) => event.type)).not.toContain('revoked_session_reused');
  });

  it('after its own tab was told it ended, one follow-up request is expected; any further use is theft', async () => {
    const owner = t.agent();
    const credentials = await register(owner);
    const revokedDevice = issuedCookie(await login(t.agent(), credentials));
    const sid = unsignSid(revokedDevice, TEST_SECRET);
    await t.services.directory.revoke(sid, { actor: 'self', reason: 'revoked' });
    await t.services.directory.acknowledgeEnded(sid);

    const replays = async () => {
      const { events } = ActivityListResponseSchema.parse((await owner.get('/api/activity')).body);
      return events.filter((event) => event.type === 'revoked_session_reused').length;
    };
    expect((await supertest(t.app).get('/api/auth/me').set('Cookie', cookieHeader(revokedDevice))).status).toBe(401);
    expect(await replays()).toBe(0);
    expect((await supertest(t.app).get('/api/auth/me').set('Cookie', cookieHeader(revokedDevice))).status).toBe(401);
    expect(await replays()).toBe(1);
  });

  it('a sign-in carrying a stale cookie still works', async () => {
    const credentials = await register(t.agent());
    const stale = issuedCookie(await login(t.agent(), credentials));
    await t.services.directory.revoke(unsignSid(stale, TEST_SECRET), { actor: 'admin', reason: 'revoked' });
    const res = await supertest(t.app).post('/api/auth/login').set('Cookie', cookieHeader(stale)).send(credentials);
    expect(res.status).toBe(200);
    expect(unsignSid(issuedCookie(res), TEST_SECRET)).not.toBe(unsignSid(stale, TEST_SECRET));
  });
});
