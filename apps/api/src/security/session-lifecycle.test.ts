import { randomBytes } from 'node:crypto';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeResponseSchema } from '@gatehouse/types/auth';
import { createTestApp } from '../test/test-app';
import type { TestApp } from '../test/test-app';
import { TEST_SECRET } from '../test/test-config';
import { cookieHeader, issuedCookie, signSid, unsignSid } from '../test/cookies';
import { register, sessionDoc, sessionDocs, signIn, sleep } from '../test/sign-in';

const me = (t: TestApp, cookie: string) => supertest(t.app).get('/api/auth/me').set('Cookie', cookie);

describe('with default timeouts', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('S3: sign-in replaces a planted session: new id, the planted cookie gets 401, its document is gone', async () => {
    const attacker = t.agent();
    await register(attacker);
    const planted = issuedCookie(await attacker.post('/api/auth/reauth').send({ password: 'correct horse battery staple' }));
    const plantedSid = unsignSid(planted, TEST_SECRET);

    const victimCredentials = await register(t.agent());
    const res = await supertest(t.app)
      .post('/api/auth/login')
      .set('Cookie', cookieHeader(planted))
      .send({ email: victimCredentials.email, password: victimCredentials.password });
    expect(res.status).toBe(200);
    const fresh = issuedCookie(res);
    expect(unsignSid(fresh, TEST_SECRET)).not.toBe(plantedSid);
    expect((await me(t, cookieHeader(planted))).status).toBe(401);
    expect(await sessionDoc(t, plantedSid)).toBeNull();
    expect(MeResponseSchema.parse((await me(t, cookieHeader(fresh))).body).user.email).toBe(victimCredentials.email);
  });

  it('S3: a forged pre-login cookie (valid signature, no session) is never adopted', async () => {
    const credentials = await register(t.agent());
    const forgedSid = randomBytes(24).toString('base64url');
    const res = await supertest(t.app)
      .post('/api/auth/login')
      .set('Cookie', `gh.sid=${encodeURIComponent(signSid(forgedSid, TEST_SECRET))}`)
      .send({ email: credentials.email, password: credentials.password });
    expect(res.status).toBe(200);
    expect(unsignSid(issuedCookie(res), TEST_SECRET)).not.toBe(forgedSid);
    expect(await sessionDoc(t, forgedSid)).toBeNull();
  });

  it('S4: re-authentication rotates the session id; the old cookie gets 401', async () => {
    const agent = t.agent();
    const credentials = await register(agent);
    const before = issuedCookie((await signIn(agent, credentials)).response);
    const after = issuedCookie(await agent.post('/api/auth/reauth').send({ password: credentials.password }));
    expect(unsignSid(after, TEST_SECRET)).not.toBe(unsignSid(before, TEST_SECRET));
    expect((await me(t, cookieHeader(before))).status).toBe(401);
    expect((await me(t, cookieHeader(after))).status).toBe(200);
  });

  it('S4: a password change rotates the session id; the old cookie gets 401', async () => {
    const agent = t.agent();
    const credentials = await register(agent);
    const before = issuedCookie((await signIn(agent, credentials)).response);
    const res = await agent.post('/api/auth/password').send({ currentPassword: credentials.password, newPassword: 'an entirely new passphrase' });
    expect(res.status).toBe(200);
    const after = issuedCookie(res);
    expect(unsignSid(after, TEST_SECRET)).not.toBe(unsignSid(before, TEST_SECRET));
    expect((await me(t, cookieHeader(before))).status).toBe(401);
    expect((await me(t, cookieHeader(after))).status).toBe(200);
  });

  it('S4: a role change rotates the session id on the next request; the old cookie then gets 401', async () => {
    const agent = t.agent();
    const credentials = await register(agent);
    const before = issuedCookie((await signIn(agent, credentials)).response);
    await t.services.accounts.setRole(credentials.id, 'admin', 'admin');
    const res = await agent.get('/api/auth/me');
    expect(res.status).toBe(200);
    const after = issuedCookie(res);
    expect(unsignSid(after, TEST_SECRET)).not.toBe(unsignSid(before, TEST_SECRET));
    expect((await me(t, cookieHeader(before))).status).toBe(401);
    expect((await me(t, cookieHeader(after))).status).toBe(200);
  });

  it('S4: requests a tab sends at once after a role change all land on one new session, and a late one with the old id keeps the cookie', async () => {
    const agent = t.agent();
    const credentials = await register(agent);
    const signedIn = await signIn(agent, credentials);
    await t.services.accounts.setRole(credentials.id, 'admin', 'admin');
    const burst = await Promise.all(Array.from({ length: 6 }, () => me(t, signedIn.cookie)));
    expect(burst.map((res) => res.status)).toEqual(burst.map(() => 200));
    const newSids = new Set(burst.map((res) => unsignSid(issuedCookie(res), TEST_SECRET)));
    expect(newSids.size, 'one new id for the whole burst').toBe(1);
    expect([...newSids][0]).not.toBe(signedIn.sid);
    expect(await sessionDocs(t, { 'session.userId': credentials.id })).toHaveLength(1);

    const late = await me(t, signedIn.cookie);
    expect(late.status).toBe(401);
    expect(late.headers['set-cookie'], 'no clearing cookie that could overtake the new one').toBeUndefined();
  });

  it('S4: a role change (user:role) applies to signed-in sessions on their next request: a demoted admin gets 403', async () => {
    const agent = t.agent();
    const credentials = await register(agent);
    const other = t.agent();
    await signIn(other, credentials);

    const promoted = await t.services.accounts.setRole(credentials.id, 'admin', 'admin');
    expect(promoted).toMatchObject({ status: 'changed', sessionsUpdated: 2 });
    expect(MeResponseSchema.parse((await agent.get('/api/auth/me')).body).user.role).toBe('admin');
    expect((await other.get('/api/admin/users')).status).toBe(200);

    await t.services.accounts.setRole(credentials.id, 'user', 'admin');
    expect(MeResponseSchema.parse((await agent.get('/api/auth/me')).body).user.role).toBe('user');
    const demoted = await other.get('/api/admin/users');
    expect(demoted.status).toBe(403);
    expect(demoted.body.error.code).toBe('forbidden');
  });

  it('S7: sign-out deletes the session document, clears the cookie and the replayed cookie gets 401', async () => {
    const agent = t.agent();
    const credentials = await register(agent);
    const cookie = issuedCookie((await signIn(agent, credentials)).response);
    const sid = unsignSid(cookie, TEST_SECRET);
    expect(await sessionDoc(t, sid)).not.toBeNull();
    const res = await agent.post('/api/auth/logout');
    expect(res.status).toBe(204);
    expect(res.headers['clear-site-data']).toBe('"cache", "storage"');
    expect(String(res.headers['set-cookie'])).toMatch(/^gh\.sid=;/);
    expect(await sessionDoc(t, sid)).toBeNull();
    expect((await me(t, cookieHeader(cookie))).status).toBe(401);
  });
});

describe('S8: idle timeout (idle 3 s, touchAfter 1 s)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ idleTimeoutSeconds: 3, touchAfterSeconds: 1 });
  });
  afterAll(() => t.close());

  it('S8: activity keeps the session alive past the idle timeout; idleness ends it server side', { timeout: 20_000 }, async () => {
    const agent = t.agent();
    await register(agent);
    const cookie = issuedCookie(await agent.post('/api/auth/reauth').send({ password: 'correct horse battery staple' }));
    const started = Date.now();
    while (Date.now() - started < 5000) {
      expect((await me(t, cookieHeader(cookie))).status).toBe(200);
      await sleep(700);
    }
    await sleep(3500);
    // Replayed by hand: whatever the browser does with Expires, the server must refuse it.
    expect((await me(t, cookieHeader(cookie))).status).toBe(401);
  });
});

describe('S9: absolute timeout (absolute 4 s, idle 60 s)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ absoluteTimeoutSeconds: 4, idleTimeoutSeconds: 60, touchAfterSeconds: 1 });
  });
  afterAll(() => t.close());

  it('S9: a session used every second still ends at its absolute deadline and its document is removed', { timeout: 20_000 }, async () => {
    const agent = t.agent();
    const credentials = await register(agent);
    const cookie = issuedCookie((await signIn(agent, credentials, { rememberMe: true })).response);
    const sid = unsignSid(cookie, TEST_SECRET);
    const started = Date.now();
    let lastOk = 0;
    for (;;) {
      const res = await me(t, cookieHeader(cookie));
      if (res.status !== 200) {
        expect(res.status).toBe(401);
        break;
      }
      lastOk = Date.now() - started;
      expect(lastOk).toBeLessThan(4500);
      await sleep(1000);
    }
    expect(lastOk).toBeGreaterThanOrEqual(2500);
    expect(await sessionDoc(t, sid)).toBeNull();
  });
});

describe('S13: sensitive actions need a fresh password (window 1 s)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ reauthWindowSeconds: 1 });
  });
  afterAll(() => t.close());

  it('S13: after the window a password change gets 403 reauth_required; re-authenticating allows it under a new id', async () => {
    const agent = t.agent();
    const credentials = await register(agent);
    const before = issuedCookie((await signIn(agent, credentials)).response);
    await sleep(1200);
    const refused = await agent.post('/api/auth/password').send({ currentPassword: credentials.password, newPassword: 'another fine passphrase' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('reauth_required');

    const reauth = await agent.post('/api/auth/reauth').send({ password: credentials.password });
    expect(reauth.status).toBe(200);
    expect(unsignSid(issuedCookie(reauth), TEST_SECRET)).not.toBe(unsignSid(before, TEST_SECRET));
    const allowed = await agent.post('/api/auth/password').send({ currentPassword: credentials.password, newPassword: 'another fine passphrase' });
    expect(allowed.status).toBe(200);
  });
});
