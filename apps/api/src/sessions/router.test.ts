import supertest from 'supertest';
import type { Request } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CurrentSessionResponseSchema, ExtendSessionResponseSchema, RevokeOthersResponseSchema, SessionListResponseSchema } from '@gatehouse/types/sessions';
import { ActivityListResponseSchema } from '@gatehouse/types/activity';
import { ErrorBodySchema } from '@gatehouse/types/errors';
import { cookieHeader, issuedCookie } from '../test/cookies';
import { createTestApp, uniqueDbName } from '../test/test-app';
import type { TestApp } from '../test/test-app';
import { testConfig } from '../test/test-config';
import { explainCookie, maskSecrets } from './router';
import { IPHONE_SAFARI, STRONG_PASSWORD, createAccount } from '../test/accounts';
import { makeAuthStale, sessionDoc, signIn, sleep } from '../test/sign-in';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

function errorCode(body: unknown): string {
  return ErrorBodySchema.parse(body).error.code;
}

async function listSessions(agent: supertest.Agent) {
  const res = await agent.get('/api/sessions');
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return SessionListResponseSchema.parse(res.body).sessions;
}

describe('GET /api/sessions', () => {
  it('refuses anonymous requests with 401', async () => {
    const res = await supertest(t.app).get('/api/sessions');
    expect(res.status).toBe(401);
    expect(errorCode(res.body)).toBe('unauthenticated');
  });

  it('S11: lists every session of the account with opaque handles, newest activity first, the current one flagged', async () => {
    const account = await createAccount(t);
    const first = await signIn(t, account);
    const second = await signIn(t, account, { userAgent: IPHONE_SAFARI });
    const third = await signIn(t, account);
    await signIn(t, await createAccount(t));

    const sessions = await listSessions(second.agent);
    expect(sessions).toHaveLength(3);
    expect(sessions.filter((session) => session.isCurrent)).toHaveLength(1);
    const current = sessions.find((session) => session.isCurrent);
    expect(current?.device.os).toMatch(/iOS/);
    const body = JSON.stringify(sessions);
    for (const { sid } of [first, second, third]) expect(body).not.toContain(sid);
    const activeTimes = sessions.map((session) => Date.parse(session.lastActiveAt));
    expect([...activeTimes].sort((a, b) => b - a)).toEqual(activeTimes);
  });

  it('leaves out sessions past their idle deadline even before the TTL monitor removes them', async () => {
    const account = await createAccount(t);
    const kept = await signIn(t, account);
    const lapsed = await signIn(t, account);
    await t.connection.collection<{ _id: string }>('sessions').updateOne({ _id: lapsed.sid }, { $set: { expires: new Date(Date.now() - 1000) } });
    const sessions = await listSessions(kept.agent);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]?.isCurrent).toBe(true);
  });
});

describe('DELETE /api/sessions/:handle', () => {
  it('S11: ends another session of the account: its cookie gets 401 on the next request', async () => {
    const account = await createAccount(t);
    const keeper = await signIn(t, account);
    const victim = await signIn(t, account);
    const target = (await listSessions(keeper.agent)).find((session) => !session.isCurrent);
    expect(target).toBeDefined();

    const res = await keeper.agent.delete(`/api/sessions/${target?.handle}`);
    expect(res.status).toBe(204);
    expect((await victim.agent.get('/api/auth/me')).status).toBe(401);
    expect(await sessionDoc(t, victim.sid)).toBeNull();
    expect((await keeper.agent.get('/api/auth/me')).status).toBe(200);
    const events = ActivityListResponseSchema.parse((await keeper.agent.get('/api/activity')).body).events;
    expect(events.find((event) => event.type === 'session_revoked')).toMatchObject({ actor: 'self' });
    // The test's own request with the revoked cookie is what a thief's would look like.
    expect(events[0]).toMatchObject({ type: 'revoked_session_reused', isSuspicious: true });
  });

  it("S11: another account's handle answers 404 and leaves that session untouched", async () => {
    const mallory = await signIn(t, await createAccount(t));
    const alice = await signIn(t, await createAccount(t));
    const [aliceSession] = await listSessions(alice.agent);
    const before = await sessionDoc(t, alice.sid);

    const res = await mallory.agent.delete(`/api/sessions/${aliceSession?.handle}`);
    expect(res.status).toBe(404);
    expect(errorCode(res.body)).toBe('not_found');
    expect(await sessionDoc(t, alice.sid)).toEqual(before);
    expect((await alice.agent.get('/api/auth/me')).status).toBe(200);
  });

  it('answers 404 for an unknown handle and 400 for one that cannot be a handle', async () => {
    const user = await signIn(t, await createAccount(t));
    expect((await user.agent.delete(`/api/sessions/${'A'.repeat(32)}`)).status).toBe(404);
    const malformed = await user.agent.delete('/api/sessions/not$a$handle');
    expect(malformed.status).toBe(400);
  });

  it('signs out when the handle is the current session: cookie cleared, document gone', async () => {
    const user = await signIn(t, await createAccount(t));
    const [current] = await listSessions(user.agent);
    const res = await user.agent.delete(`/api/sessions/${current?.handle}`);
    expect(res.status).toBe(204);
    expect(res.headers['clear-site-data']).toBe('"cache", "storage"');
    expect(await sessionDoc(t, user.sid)).toBeNull();
    expect((await supertest(t.app).get('/api/auth/me').set('Cookie', user.cookie)).status).toBe(401);
  });

  it('refuses anonymous requests with 401', async () => {
    expect((await supertest(t.app).delete(`/api/sessions/${'A'.repeat(32)}`)).status).toBe(401);
  });
});

describe('POST /api/sessions/revoke-others', () => {
  it('S11: ends every other session of the account and keeps the current one', async () => {
    const account = await createAccount(t);
    const others = [await signIn(t, account), await signIn(t, account)];
    const current = await signIn(t, account);
    const bystander = await signIn(t, await createAccount(t));

    const res = await current.agent.post('/api/sessions/revoke-others');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(RevokeOthersResponseSchema.parse(res.body).revoked).toBe(2);
    for (const other of others) expect((await other.agent.get('/api/auth/me')).status).toBe(401);
    expect((await current.agent.get('/api/auth/me')).status).toBe(200);
    expect((await bystander.agent.get('/api/auth/me')).status).toBe(200);
    const sessions = await listSessions(current.agent);
    expect(sessions.map((session) => session.isCurrent)).toEqual([true]);
  });

  it('S13: needs a recent password: 403 reauth_required, then allowed after POST /api/auth/reauth', async () => {
    const account = await createAccount(t);
    const other = await signIn(t, account);
    const current = await signIn(t, account);
    await makeAuthStale(t, current.sid);

    const refused = await current.agent.post('/api/sessions/revoke-others');
    expect(refused.status).toBe(403);
    expect(errorCode(refused.body)).toBe('reauth_required');
    expect((await other.agent.get('/api/auth/me')).status).toBe(200);

    expect((await current.agent.post('/api/auth/reauth').send({ password: STRONG_PASSWORD })).status).toBe(200);
    const res = await current.agent.post('/api/sessions/revoke-others');
    expect(RevokeOthersResponseSchema.parse(res.body).revoked).toBe(1);
  });

  it('refuses anonymous requests with 401', async () => {
    expect((await supertest(t.app).post('/api/sessions/revoke-others')).status).toBe(401);
  });
});

describe('GET /api/sessions/current', () => {
  it('shows the stored session with secrets masked and explains the cookie', async () => {
    const user = await signIn(t, await createAccount(t));
    // Something secret-looking stored next to the session data must never be echoed back.
    await t.connection
      .collection<{ _id: string }>('sessions')
      .updateOne({ _id: user.sid }, { $set: { 'session.apiToken': 'tok_live_123', 'session.nested': { passwordHash: '$argon2id$x' } } });

    const res = await user.agent.get('/api/sessions/current');
    expect(res.status).toBe(200);
    const body = CurrentSessionResponseSchema.parse(res.body);
    expect(body.session.isCurrent).toBe(true);
    expect(body.data).toMatchObject({ userId: expect.any(String), rememberMe: false, apiToken: '••••', nested: { passwordHash: '••••' } });
    const text = JSON.stringify(res.body);
    expect(text).not.toContain('tok_live_123');
    expect(text).not.toContain('$argon2');
    expect(text).not.toContain(user.sid);
    expect(body.cookie).toMatchObject({ name: 'gh.sid', httpOnly: true, secure: false, sameSite: 'lax', path: '/', expiresAt: null, warnings: [] });
    expect(body.cookie.server).toMatchObject({ secureConfigured: false, trustProxy: false, requestIsSecure: false });
  });

  it('reports a persistent cookie for "remember me", never past the absolute deadline', async () => {
    const user = await signIn(t, await createAccount(t), { rememberMe: true });
    const body = CurrentSessionResponseSchema.parse((await user.agent.get('/api/sessions/current')).body);
    expect(body.cookie.expiresAt).not.toBeNull();
    expect(Date.parse(body.cookie.expiresAt ?? '')).toBeLessThanOrEqual(Date.parse(body.session.absoluteExpiresAt) + 1000);
    expect(body.cookie.warnings).toEqual([]);
  });

  it('refuses anonymous requests with 401', async () => {
    expect((await supertest(t.app).get('/api/sessions/current')).status).toBe(401);
  });
});

describe('explaining the cookie', () => {
  function requestWith({
    secure,
    rememberMe = false,
    originalMaxAge = null as number | null,
    absoluteExpiresAt = Date.now() + 3_600_000,
  }: {
    secure: boolean;
    rememberMe?: boolean;
    originalMaxAge?: number | null;
    absoluteExpiresAt?: number;
  }): Request {
    const cookie = { originalMaxAge, httpOnly: true, secure: true, sameSite: 'lax', path: '/' };
    return { secure, session: { cookie, rememberMe, absoluteExpiresAt } } as unknown as Request;
  }

  it('flags a Secure cookie that is not sent because the request came over HTTP with trust proxy off', () => {
    const config = testConfig({ isProduction: true, cookieName: '__Host-gh.sid', trustProxy: false });
    const { warnings, server } = explainCookie(requestWith({ secure: false }), config);
    expect(server).toMatchObject({ secureConfigured: true, trustProxy: false, requestIsSecure: false });
    expect(warnings).toEqual(['Secure cookie configured but not sent: the request reached the app over HTTP and `trust proxy` is off']);
  });

  it('has nothing to flag for a Secure cookie over HTTPS', () => {
    const config = testConfig({ isProduction: true, cookieName: '__Host-gh.sid', trustProxy: 1 });
    expect(explainCookie(requestWith({ secure: true }), config).warnings).toEqual([]);
  });

  it('flags a persistent cookie that would outlive the absolute deadline, and remember-me mismatches', () => {
    const config = testConfig();
    const now = Date.now();
    const beyond = explainCookie(requestWith({ secure: false, rememberMe: true, originalMaxAge: 7_200_000, absoluteExpiresAt: now + 60_000 }), config, now);
    expect(beyond.expiresAt).toBe(new Date(now + 7_200_000).toISOString());
    expect(beyond.warnings).toEqual([expect.stringMatching(/later than the session's absolute deadline/)]);
    expect(explainCookie(requestWith({ secure: false, rememberMe: true }), config).warnings).toEqual([expect.stringMatching(/browser-session cookie/)]);
  });

  it('explains the cookie over the API behind a proxy: fine over HTTPS, flagged when the proxy reports HTTP', async () => {
    const app = await createTestApp({ isProduction: true, cookieName: '__Host-gh.sid', deviceCookieName: '__Host-gh.device', trustProxy: 'loopback' });
    try {
      const account = await createAccount(app);
      const login = await supertest(app.app)
        .post('/api/auth/login')
        .set('X-Forwarded-Proto', 'https')
        .send({ email: account.email, password: account.password });
      expect(login.status).toBe(200);
      const issued = issuedCookie(login, '__Host-gh.sid');
      expect(issued.secure).toBe(true);
      const cookie = cookieHeader(issued);

      const overHttps = await supertest(app.app).get('/api/sessions/current').set('Cookie', cookie).set('X-Forwarded-Proto', 'https');
      expect(CurrentSessionResponseSchema.parse(overHttps.body).cookie).toMatchObject({ name: '__Host-gh.sid', secure: true, warnings: [] });
      const overHttp = await supertest(app.app).get('/api/sessions/current').set('Cookie', cookie).set('X-Forwarded-Proto', 'http');
      const explained = CurrentSessionResponseSchema.parse(overHttp.body).cookie;
      expect(explained.server).toMatchObject({ secureConfigured: true, trustProxy: true, requestIsSecure: false });
      expect(explained.warnings).toEqual([expect.stringMatching(/^Secure cookie configured but not sent: the proxy did not report HTTPS/)]);
    } finally {
      await app.close();
    }
  });

  it('masks anything named like a secret, at any depth, and turns dates into ISO strings', () => {
    const when = new Date('2026-01-02T03:04:05.000Z');
    expect(maskSecrets({ csrfToken: 'x', list: [{ clientSecret: 'y' }], at: when, name: 'Ada' })).toEqual({
      csrfToken: '••••',
      list: [{ clientSecret: '••••' }],
      at: '2026-01-02T03:04:05.000Z',
      name: 'Ada',
    });
  });
});

describe('POST /api/sessions/current/extend', () => {
  it('moves the idle deadline forward even inside the touchAfter window, and never the absolute one', async () => {
    const app = await createTestApp({ touchAfterSeconds: 600, idleTimeoutSeconds: 600 });
    try {
      const user = await signIn(app, await createAccount(app));
      const before = CurrentSessionResponseSchema.parse((await user.agent.get('/api/sessions/current')).body).session;
      await sleep(1100);
      const res = await user.agent.post('/api/sessions/current/extend');
      expect(res.status).toBe(200);
      const after = ExtendSessionResponseSchema.parse(res.body).session;
      expect(Date.parse(after.idleExpiresAt)).toBeGreaterThanOrEqual(Date.parse(before.idleExpiresAt) + 1000);
      expect(after.absoluteExpiresAt).toBe(before.absoluteExpiresAt);
    } finally {
      await app.close();
    }
  });

  it('caps the idle deadline at the absolute one', async () => {
    const app = await createTestApp({ absoluteTimeoutSeconds: 60, idleTimeoutSeconds: 3600 });
    try {
      const user = await signIn(app, await createAccount(app));
      const after = ExtendSessionResponseSchema.parse((await user.agent.post('/api/sessions/current/extend')).body).session;
      expect(after.idleExpiresAt).toBe(after.absoluteExpiresAt);
    } finally {
      await app.close();
    }
  });

  it('refuses anonymous requests with 401', async () => {
    expect((await supertest(t.app).post('/api/sessions/current/extend')).status).toBe(401);
  });
});

describe('session lifetime and revocation across instances', () => {
  it('S9: the absolute timeout ends a session that is in constant use', async () => {
    const app = await createTestApp({ absoluteTimeoutSeconds: 2, idleTimeoutSeconds: 60, touchAfterSeconds: 0 });
    try {
      const user = await signIn(app, await createAccount(app));
      const deadline = Date.now() + 4000;
      let status = 200;
      while (status === 200 && Date.now() < deadline) {
        await sleep(300);
        status = (await user.agent.get('/api/sessions')).status;
      }
      expect(status).toBe(401);
      expect(await sessionDoc(app, user.sid)).toBeNull();
    } finally {
      await app.close();
    }
  });

  it('S10: a session revoked through one instance is refused by another on the very next request', async () => {
    const dbName = uniqueDbName();
    const a = await createTestApp({ dbName, keepDatabase: true });
    const b = await createTestApp({ dbName });
    try {
      const account = await createAccount(a);
      const onA = await signIn(a, account);
      expect((await supertest(a.app).get('/api/auth/me').set('Cookie', onA.cookie)).status).toBe(200);
      const onB = await signIn(b, account);
      const target = (await listSessions(onB.agent)).find((session) => !session.isCurrent);
      expect((await onB.agent.delete(`/api/sessions/${target?.handle}`)).status).toBe(204);
      expect((await supertest(a.app).get('/api/auth/me').set('Cookie', onA.cookie)).status).toBe(401);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('S12: changing the password ends every other session of the account', async () => {
    const account = await createAccount(t);
    const other = await signIn(t, account);
    const current = await signIn(t, account);
    const res = await current.agent.post('/api/auth/password').send({ currentPassword: account.password, newPassword: 'a different long passphrase' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await other.agent.get('/api/auth/me')).status).toBe(401);
    expect((await current.agent.get('/api/auth/me')).status).toBe(200);
  });
});
