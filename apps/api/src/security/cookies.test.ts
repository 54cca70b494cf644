import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, uniqueDbName } from '../test/test-app';
import type { TestApp } from '../test/test-app';
import { TEST_SECRET, TEST_SECRET_NEXT } from '../test/test-config';
import { createAccount } from '../test/accounts';
import { cookieHeader, issuedCookie, findCookie, unsignSid } from '../test/cookies';
import { register, sessionDoc } from '../test/sign-in';

const PRODUCTION_COOKIE = '__Host-gh.sid';
const PRODUCTION_DEVICE_COOKIE = '__Host-gh.device';
const production = { isProduction: true, cookieName: PRODUCTION_COOKIE, deviceCookieName: PRODUCTION_DEVICE_COOKIE };

describe('S5: production cookie attributes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ ...production, trustProxy: 'loopback', absoluteTimeoutSeconds: 3600 });
  });
  afterAll(() => t.close());

  it('S5: __Host- name, Secure, HttpOnly, Path=/, no Domain, SameSite=Lax; a browser-session cookie without remember-me', async () => {
    const account = await createAccount(t);
    const res = await supertest(t.app).post('/api/auth/login').set('X-Forwarded-Proto', 'https').send({ email: account.email, password: account.password });
    expect(res.status).toBe(200);
    const cookie = issuedCookie(res, PRODUCTION_COOKIE);
    expect(cookie).toMatchObject({ secure: true, httpOnly: true, path: '/', sameSite: 'Lax' });
    expect(cookie.domain).toBeUndefined();
    expect(cookie.expires).toBeUndefined();
    expect(cookie.maxAge).toBeUndefined();
  });

  it('S5: the device cookie (sign-in throttle trust, S32) is __Host-, Secure, HttpOnly, SameSite=Lax and lasts a year', async () => {
    const account = await createAccount(t);
    const res = await supertest(t.app).post('/api/auth/login').set('X-Forwarded-Proto', 'https').send({ email: account.email, password: account.password });
    const cookie = issuedCookie(res, PRODUCTION_DEVICE_COOKIE);
    expect(cookie).toMatchObject({ secure: true, httpOnly: true, path: '/', sameSite: 'Lax', maxAge: 365 * 24 * 3600 });
    expect(cookie.domain).toBeUndefined();
  });

  it('S5: a remember-me cookie never outlives the absolute timeout', async () => {
    const credentials = await register(t.agent().set('X-Forwarded-Proto', 'https'));
    const res = await supertest(t.app)
      .post('/api/auth/login')
      .set('X-Forwarded-Proto', 'https')
      .send({ email: credentials.email, password: credentials.password, rememberMe: true });
    const cookie = issuedCookie(res, PRODUCTION_COOKIE);
    expect(t.config.rememberMeIdleTimeoutSeconds).toBeGreaterThan(3600);
    expect(cookie.expires).toBeInstanceOf(Date);
    expect((cookie.expires?.getTime() ?? Infinity) - Date.now()).toBeLessThanOrEqual(3600 * 1000 + 1000);
    expect(res.headers['set-cookie']?.toString()).not.toMatch(/Domain=/i);
  });
});

describe('S6: TLS terminated by a proxy', () => {
  it('S6: without trust proxy a spoofed X-Forwarded-Proto gets no Secure cookie and X-Forwarded-For is not the client IP', async () => {
    const t = await createTestApp({ ...production, trustProxy: false });
    try {
      const account = await createAccount(t);
      const res = await supertest(t.app)
        .post('/api/auth/login')
        .set('X-Forwarded-Proto', 'https')
        .set('X-Forwarded-For', '203.0.113.9')
        .send({ email: account.email, password: account.password });
      expect(res.status).toBe(200);
      expect(findCookie(res, PRODUCTION_COOKIE)).toBeUndefined();
      const docs = await t.connection.collection('sessions').find({}).toArray();
      for (const doc of docs) expect((doc.session as { ip: string }).ip).not.toBe('203.0.113.9');
    } finally {
      await t.close();
    }
  });

  it('S6: behind a trusted proxy the cookie is Secure and the IP comes from X-Forwarded-For', async () => {
    const t = await createTestApp({ ...production, trustProxy: 'loopback' });
    try {
      const account = await createAccount(t);
      const res = await supertest(t.app)
        .post('/api/auth/login')
        .set('X-Forwarded-Proto', 'https')
        .set('X-Forwarded-For', '203.0.113.9')
        .send({ email: account.email, password: account.password });
      const cookie = issuedCookie(res, PRODUCTION_COOKIE);
      expect(cookie.secure).toBe(true);
      const doc = await sessionDoc(t, unsignSid(cookie, TEST_SECRET));
      expect((doc as unknown as { session: { ip: string } }).session.ip).toBe('203.0.113.9');
    } finally {
      await t.close();
    }
  });
});

describe('S29: secret rotation', () => {
  it('S29: a session signed under [old] still works under [new, old], and no longer under [new] alone', async () => {
    const dbName = uniqueDbName();
    const before = await createTestApp({ dbName, keepDatabase: true, sessionSecrets: [TEST_SECRET] });
    const agent = before.agent();
    await register(agent);
    const cookie = issuedCookie(await agent.post('/api/auth/reauth').send({ password: 'correct horse battery staple' }));
    await before.close();

    const rotated = await createTestApp({ dbName, keepDatabase: true, sessionSecrets: [TEST_SECRET_NEXT, TEST_SECRET] });
    const during = await supertest(rotated.app).get('/api/auth/me').set('Cookie', cookieHeader(cookie));
    expect(during.status).toBe(200);
    // Activity re-signs the cookie with the new first secret, so it survives the old one's removal.
    const resigned = issuedCookie(during);
    await rotated.close();

    const after = await createTestApp({ dbName, sessionSecrets: [TEST_SECRET_NEXT] });
    try {
      expect((await supertest(after.app).get('/api/auth/me').set('Cookie', cookieHeader(cookie))).status).toBe(401);
      expect((await supertest(after.app).get('/api/auth/me').set('Cookie', cookieHeader(resigned))).status).toBe(200);
    } finally {
      await after.close();
    }
  });
});
