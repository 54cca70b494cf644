import type { Express } from 'express';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../test/accounts';
import { cookieHeader, issuedSessionCookie, unsignSid } from '../test/cookies';
import { enrolTotp, passwordStep, testClock, totpCode } from '../test/second-factor';
import { sessionDoc, signIn, signInAdmin, sleep } from '../test/sign-in';
import { createTestApp } from '../test/test-app';
import type { TestApp } from '../test/test-app';
import { TEST_SECRET } from '../test/test-config';

/**
 * Every API endpoint that needs a signed-in session. The first test counts the app's routes, so a new
 * endpoint fails it until it is listed here or among the anonymous ones below.
 */
const SIGNED_IN_ENDPOINTS: [method: 'get' | 'post' | 'patch' | 'delete', path: string][] = [
  ['get', '/api/auth/me'],
  ['post', '/api/auth/reauth'],
  ['post', '/api/auth/password'],
  ['post', '/api/auth/passkey/reauth/options'],
  ['post', '/api/auth/passkey/reauth'],
  ['post', '/api/auth/email/verification'],
  ['post', '/api/auth/email/change'],
  ['post', '/api/auth/oidc/test/reauth'],
  ['get', '/api/account/connections'],
  ['post', '/api/account/connections/test'],
  ['delete', '/api/account/connections/test'],
  ['get', '/api/sessions'],
  ['get', '/api/sessions/current'],
  ['post', '/api/sessions/current/extend'],
  ['post', '/api/sessions/revoke-others'],
  ['patch', '/api/sessions/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
  ['delete', '/api/sessions/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
  ['get', '/api/activity'],
  ['get', '/api/events'],
  ['get', '/api/account/second-factor'],
  ['post', '/api/account/totp'],
  ['post', '/api/account/totp/confirm'],
  ['delete', '/api/account/totp'],
  ['post', '/api/account/recovery-codes'],
  ['get', '/api/account/passkeys'],
  ['post', '/api/account/passkeys/options'],
  ['post', '/api/account/passkeys'],
  ['patch', '/api/account/passkeys/AAAA'],
  ['delete', '/api/account/passkeys/AAAA'],
  ['get', '/api/admin/sessions'],
  ['delete', '/api/admin/sessions/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
  ['delete', '/api/admin/users/000000000000000000000000/sessions'],
  ['get', '/api/admin/users'],
  ['post', '/api/admin/users/000000000000000000000000/disable'],
  ['post', '/api/admin/users/000000000000000000000000/enable'],
  ['post', '/api/admin/users/000000000000000000000000/role'],
  ['post', '/api/admin/users/000000000000000000000000/password-reset'],
  ['get', '/api/admin/store'],
  ['get', '/api/activity/export'],
  ['get', '/api/admin/activity/export'],
  ['get', '/api/account/export'],
  ['delete', '/api/account'],
  ['post', '/api/auth/device-binding/registration'],
];

/** For anyone, signed in or not: a pending sign-in changes nothing about them (they grant nothing either). */
const ANONYMOUS_ENDPOINTS = [
  'GET /api/health',
  'GET /api/ready',
  'POST /api/auth/register',
  'POST /api/auth/login',
  'POST /api/auth/logout',
  'POST /api/auth/passkey/options',
  'POST /api/auth/passkey',
  // Links from mail and "forgot password": for people who cannot sign in (the link is the credential).
  'POST /api/auth/password/forgot',
  'POST /api/auth/password/reset/check',
  'POST /api/auth/password/reset',
  'POST /api/auth/email/verify',
  // Signing in with an OpenID Connect provider (the callback checks its own flow).
  'GET /api/auth/oidc/providers',
  'GET /api/auth/oidc/:provider/start',
  'GET /api/auth/oidc/:provider/callback',
  'POST /api/auth/email/change/cancel',
  // The API's own description (OpenAPI document and its reference page).
  'GET /api/openapi.json',
  'GET /api/docs',
  // The development outbox (never mounted in production).
  'GET /api/dev/outbox',
  'GET /api/dev/outbox/:id',
  'GET /api/dev/outbox/:id/html',
  // The second step itself.
  'GET /api/auth/login/second-factor',
  'POST /api/auth/login/second-factor',
  'POST /api/auth/login/second-factor/passkey-options',
  // A sign-in refused at the session cap goes on with its ticket (the ticket is the credential).
  'POST /api/auth/login/session-limit',
  // A device-bound session's refresh: the proof is the device key's signature (a pending sign-in has no binding).
  'POST /api/auth/device-binding/refresh',
];

interface RouterLayer {
  route?: { methods: Record<string, boolean> };
  handle?: { stack?: RouterLayer[] };
}

/** How many (method, route) pairs the app's routers define, walking nested routers (the SPA's catch-all excluded by the caller). */
function countRoutes(stack: RouterLayer[]): number {
  let count = 0;
  for (const layer of stack) {
    if (layer.route) count += Object.keys(layer.route.methods).filter((method) => method !== '_all').length;
    else if (layer.handle?.stack) count += countRoutes(layer.handle.stack);
  }
  return count;
}

describe('S37: a pending second-factor sign-in', () => {
  const clock = testClock();
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ clock, secondFactorTimeoutSeconds: 5 });
  });
  afterAll(() => t.close());

  async function pendingFor(isAdmin = false) {
    const account = isAdmin ? (await signInAdmin(t)).account : await createAccount(t);
    const owner = await signIn(t, account);
    const enrolled = await enrolTotp(owner.agent, clock);
    const browser = t.agent();
    const res = await passwordStep(browser, account);
    const cookie = cookieHeader(issuedSessionCookie(res));
    return { account, enrolled, browser, cookie, sid: unsignSid(cookie, TEST_SECRET) };
  }

  it('S37: the list of endpoints below covers every route of the app', () => {
    const spaRoutes = 1;
    const app = t.app as Express & { router: { stack: RouterLayer[] } };
    expect(countRoutes(app.router.stack) - spaRoutes).toBe(SIGNED_IN_ENDPOINTS.length + ANONYMOUS_ENDPOINTS.length);
  });

  it('S37: every API endpoint but the second step answers 401 while pending, an admin account included', async () => {
    const { cookie, account, enrolled } = await pendingFor(true);
    const client = supertest(t.app);
    for (const [method, path] of SIGNED_IN_ENDPOINTS) {
      const res = await client[method](path)
        .set('Cookie', cookie)
        .send({ password: account.password, code: totpCode(enrolled.secret, clock()) });
      expect(res.status, `${method.toUpperCase()} ${path}`).toBe(401);
    }
    // Still pending, and nothing in the database names the account as signed in through it.
    const complete = await supertest(t.app)
      .post('/api/auth/login/second-factor')
      .set('Cookie', cookie)
      .send({ code: totpCode(enrolled.secret, clock()) });
    expect(complete.status).toBe(200);
    clock.advance();
  });

  it('S37: the pending document names no user and holds no session rights; the admin store view counts it apart', async () => {
    const { sid } = await pendingFor();
    const doc = await sessionDoc(t, sid);
    expect(doc?.session.userId).toBeUndefined();
    expect(doc?.session.user).toBeUndefined();
    expect(doc?.session.pendingSignIn).toMatchObject({ authMethods: ['password'], methods: ['totp', 'recovery_code'] });
    expect(doc?.expires.getTime()).toBeLessThanOrEqual(Date.now() + 5000);
    const admin = await signInAdmin(t);
    const store = await admin.agent.get('/api/admin/store');
    expect(store.body).toMatchObject({ anonymousSessions: 0, pendingSignIns: expect.any(Number) as number });
    expect((store.body as { pendingSignIns: number }).pendingSignIns).toBeGreaterThanOrEqual(1);
    clock.advance();
  });

  it('S37: the session id is regenerated after the second factor; the pending id is dead', async () => {
    const { cookie, sid, enrolled } = await pendingFor();
    const res = await supertest(t.app)
      .post('/api/auth/login/second-factor')
      .set('Cookie', cookie)
      .send({ code: totpCode(enrolled.secret, clock()) });
    expect(res.status).toBe(200);
    const fresh = cookieHeader(issuedSessionCookie(res));
    expect(unsignSid(fresh, TEST_SECRET)).not.toBe(sid);
    expect(await sessionDoc(t, sid)).toBeNull();
    expect((await supertest(t.app).get('/api/auth/me').set('Cookie', fresh)).status).toBe(200);
    // The pending cookie cannot complete a second time, even with another valid code.
    clock.advance();
    const again = await supertest(t.app).post('/api/auth/login/second-factor').set('Cookie', cookie).send({ code: enrolled.recoveryCodes[0] });
    expect(again.status).toBe(401);
    clock.advance();
  });

  it('S37: two requests racing to complete one pending sign-in give one session', async () => {
    const { cookie, enrolled, account } = await pendingFor();
    const [first, second] = await Promise.all([
      supertest(t.app)
        .post('/api/auth/login/second-factor')
        .set('Cookie', cookie)
        .send({ code: totpCode(enrolled.secret, clock()) }),
      supertest(t.app).post('/api/auth/login/second-factor').set('Cookie', cookie).send({ code: enrolled.recoveryCodes[1] }),
    ]);
    expect([first.status, second.status].filter((status) => status === 200)).toHaveLength(1);
    const owner = await supertest(t.app)
      .get('/api/sessions')
      .set('Cookie', cookieHeader(issuedSessionCookie(first.status === 200 ? first : second)));
    // The owner's enrolment session and the one completed sign-in.
    expect((owner.body as { sessions: unknown[] }).sessions).toHaveLength(2);
    expect(account.email).toBeTruthy();
    clock.advance();
  });

  it('S37: it expires: after the timeout the right code is refused and nothing is left stored', { timeout: 15_000 }, async () => {
    const { cookie, sid, enrolled } = await pendingFor();
    await sleep(5300);
    const res = await supertest(t.app)
      .post('/api/auth/login/second-factor')
      .set('Cookie', cookie)
      .send({ code: totpCode(enrolled.secret, clock()) });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: { code: 'unauthenticated' } });
    expect(res.headers['set-cookie']?.toString() ?? '').not.toMatch(/gh\.sid=s%3A/);
    const doc = await sessionDoc(t, sid);
    // Past its deadline the store no longer loads it; the TTL monitor removes it.
    expect(doc === null || doc.expires.getTime() <= Date.now()).toBe(true);
    clock.advance();
  });

  it('S37: signing out drops the pending sign-in', async () => {
    const { browser, sid } = await pendingFor();
    expect((await browser.post('/api/auth/logout')).status).toBe(204);
    expect(await sessionDoc(t, sid)).toBeNull();
    expect((await browser.post('/api/auth/login/second-factor').send({ code: '123456' })).status).toBe(401);
  });

  it('S37: a second step without any pending sign-in is 401, and a signed-in session cannot use it', async () => {
    expect((await supertest(t.app).post('/api/auth/login/second-factor').send({ code: '123456' })).status).toBe(401);
    const signedIn = await signIn(t, await createAccount(t));
    expect((await signedIn.agent.post('/api/auth/login/second-factor').send({ code: '123456' })).status).toBe(401);
  });
});
