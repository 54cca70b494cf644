import { randomBytes } from 'node:crypto';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../test/test-app';
import type { TestApp } from '../test/test-app';
import { TEST_SECRET, TEST_SECRET_NEXT } from '../test/test-config';
import { cookieHeader, issuedCookie, signSid, unsignSid } from '../test/cookies';
import { register, sessionDocs, signIn } from '../test/sign-in';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('session ids', () => {
  it('S1: 1000 sign-ins yield 1000 distinct 32-character base64url ids (192 random bits each)', { timeout: 120_000 }, async () => {
    const credentials = await register(t.agent());
    const sids = new Set<string>();
    const batch = 20;
    for (let i = 0; i < 1000; i += batch) {
      const responses = await Promise.all(
        Array.from({ length: batch }, () => supertest(t.app).post('/api/auth/login').send({ email: credentials.email, password: credentials.password })),
      );
      for (const res of responses) {
        expect(res.status).toBe(200);
        const sid = unsignSid(issuedCookie(res), TEST_SECRET);
        expect(sid).toMatch(/^[A-Za-z0-9_-]{32}$/);
        sids.add(sid);
      }
    }
    expect(sids.size).toBe(1000);
  });

  it('S2: the session id is accepted only from the cookie and never appears in a body or Location', async () => {
    const agent = t.agent();
    const credentials = await register(agent);
    const loginRes = (await signIn(agent, credentials)).response;
    const cookie = issuedCookie(loginRes);
    const sid = unsignSid(cookie, TEST_SECRET);
    const signed = encodeURIComponent(cookie.value);

    const attempts = [
      supertest(t.app).get(`/api/auth/me?sid=${sid}`),
      supertest(t.app).get(`/api/auth/me?gh.sid=${signed}`),
      supertest(t.app).get('/api/auth/me').set('Authorization', `Bearer ${sid}`),
      supertest(t.app).get('/api/auth/me').set('X-Session-Id', sid),
      supertest(t.app).get('/api/auth/me').set('gh.sid', signed),
    ];
    for (const res of await Promise.all(attempts)) expect(res.status).toBe(401);

    const responses = [loginRes, await agent.get('/api/auth/me'), await agent.post('/api/auth/reauth').send({ password: credentials.password })];
    for (const res of responses) {
      expect(res.text).not.toContain(sid);
      expect(String(res.headers.location ?? '')).not.toContain(sid);
    }
  });
});

describe('S28: cookies that do not name a live session make the request anonymous', () => {
  it('S28: tampered, unsigned, foreign-key, unknown and expired cookies all get 401, no 500 and no stored session', async () => {
    const agent = t.agent();
    await register(agent);
    const cookie = issuedCookie(await agent.post('/api/auth/reauth').send({ password: 'correct horse battery staple' }));
    const sid = unsignSid(cookie, TEST_SECRET);
    const value = cookie.value;
    const flipped = value.slice(0, -1) + (value.endsWith('A') ? 'B' : 'A');
    const expiredSid = randomBytes(24).toString('base64url');
    await t.connection.collection<{ _id: string }>('sessions').insertOne({
      _id: expiredSid,
      session: { cookie: { path: '/' }, userId: '000000000000000000000000' },
      expires: new Date(Date.now() - 1000),
    } as never);

    const before = new Set((await sessionDocs(t)).map((doc) => String(doc._id)));
    const cookies = [
      `gh.sid=${encodeURIComponent(flipped)}`,
      `gh.sid=${sid}`,
      `gh.sid=${encodeURIComponent(signSid(sid, TEST_SECRET_NEXT))}`,
      `gh.sid=${encodeURIComponent(signSid(randomBytes(24).toString('base64url'), TEST_SECRET))}`,
      `gh.sid=${encodeURIComponent(signSid(expiredSid, TEST_SECRET))}`,
      'gh.sid=s%3A',
      'gh.sid=%E0%A4%A',
      `gh.sid=${'x'.repeat(4000)}`,
    ];
    for (const header of cookies) {
      const res = await supertest(t.app).get('/api/auth/me').set('Cookie', header);
      expect(res.status, header).toBe(401);
      expect(res.headers['set-cookie']?.toString() ?? '', header).not.toMatch(/gh\.sid=s%3A/);
    }
    const after = (await sessionDocs(t)).map((doc) => String(doc._id));
    expect(after.filter((id) => !before.has(id))).toEqual([]);
    // The expired document is reaped when its cookie comes back, not revived.
    expect(after).not.toContain(expiredSid);
    // The genuine cookie still works: nothing above disturbed it.
    expect((await supertest(t.app).get('/api/auth/me').set('Cookie', cookieHeader(cookie))).status).toBe(200);
  });
});
