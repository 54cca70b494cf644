import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBodySchema } from '@gatehouse/types/errors';
import { LoginResponseSchema, MeResponseSchema, RegisterResponseSchema } from '@gatehouse/types/auth';
import { createTestApp } from '../test/test-app';
import type { TestApp } from '../test/test-app';
import { TEST_SECRET } from '../test/test-config';
import { STRONG_PASSWORD, newCredentials } from '../test/accounts';
import { cookieHeader, issuedCookie, findCookie, unsignSid } from '../test/cookies';
import { register, sessionDoc, sessionDocs, signIn } from '../test/sign-in';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('POST /api/auth/register', () => {
  it('creates the account without signing in (202, no cookie); it can sign in at once, normalised and unverified', async () => {
    const agent = t.agent();
    const credentials = newCredentials({ email: '  Grace.Hopper@Example.COM ' });
    const res = await agent.post('/api/auth/register').send(credentials);
    expect(res.status).toBe(202);
    expect(RegisterResponseSchema.parse(res.body)).toEqual({ mail: 'sent', message: expect.stringContaining('Check your inbox') as unknown });
    expect(res.headers['set-cookie']).toBeUndefined();
    expect((await agent.get('/api/auth/me')).status).toBe(401);

    const signedIn = await agent.post('/api/auth/login').send({ email: 'grace.hopper@example.com', password: credentials.password });
    expect(signedIn.status).toBe(200);
    const { user } = LoginResponseSchema.parse(signedIn.body);
    expect(user).toMatchObject({ name: 'Ada Lovelace', email: 'grace.hopper@example.com', role: 'user', emailVerified: false });
    expect(JSON.stringify(signedIn.body)).not.toContain('passwordHash');
    const me = await agent.get('/api/auth/me');
    expect(me.status).toBe(200);
    expect(MeResponseSchema.parse(me.body).user).toMatchObject({ id: user.id, emailVerified: false });
  });

  it('S34: an address that already has an account gets the same 202 answer and no session; the account is unchanged', async () => {
    const existing = await register(t.agent());
    const res = await supertest(t.app)
      .post('/api/auth/register')
      .send(newCredentials({ email: existing.email.toUpperCase(), password: 'another long passphrase' }));
    expect(res.status).toBe(202);
    expect(RegisterResponseSchema.parse(res.body).mail).toBe('sent');
    expect(findCookie(res)).toBeUndefined();
    expect((await supertest(t.app).post('/api/auth/login').send({ email: existing.email, password: 'another long passphrase' })).status).toBe(401);
    expect((await supertest(t.app).post('/api/auth/login').send(existing)).status).toBe(200);
  });

  it('reports every invalid field with validation_failed', async () => {
    const res = await supertest(t.app).post('/api/auth/register').send({ name: '', email: 'not-an-email', password: 'short' });
    expect(res.status).toBe(400);
    const { error } = ErrorBodySchema.parse(res.body);
    expect(error.code).toBe('validation_failed');
    expect(Object.keys(error.fields ?? {}).sort()).toEqual(['email', 'name', 'password']);
  });

  it('S27: ignores a role in the body: new accounts are always users', async () => {
    const credentials = newCredentials();
    const res = await supertest(t.app)
      .post('/api/auth/register')
      .send({ ...credentials, role: 'admin' });
    expect(res.status).toBe(202);
    const signedIn = await supertest(t.app).post('/api/auth/login').send(credentials);
    expect(LoginResponseSchema.parse(signedIn.body).user.role).toBe('user');
  });
});

describe('POST /api/auth/login', () => {
  it('signs in with the right password (email matched case-insensitively)', async () => {
    const credentials = await register(t.agent());
    const agent = t.agent();
    const res = await agent.post('/api/auth/login').send({ email: credentials.email.toUpperCase(), password: credentials.password });
    expect(res.status).toBe(200);
    expect(LoginResponseSchema.parse(res.body).user.email).toBe(credentials.email);
    expect((await agent.get('/api/auth/me')).status).toBe(200);
  });

  it('answers a wrong password with 401 invalid_credentials and no session', async () => {
    const credentials = await register(t.agent());
    const res = await supertest(t.app).post('/api/auth/login').send({ email: credentials.email, password: 'wrong password here' });
    expect(res.status).toBe(401);
    expect(ErrorBodySchema.parse(res.body).error.code).toBe('invalid_credentials');
    expect(findCookie(res)).toBeUndefined();
  });

  it('answers a disabled account with the right password with 403 account_disabled', async () => {
    const credentials = await register(t.agent());
    await t.connection.collection('users').updateOne({ email: credentials.email }, { $set: { disabledAt: new Date() } });
    const res = await supertest(t.app).post('/api/auth/login').send(credentials);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: { code: 'account_disabled', message: 'This account has been disabled. Contact an administrator.' } });
  });

  it('issues a new session id on sign-in and deletes the previous session document', async () => {
    const credentials = await register(t.agent());
    const agent = t.agent();
    const firstSid = unsignSid(issuedCookie((await signIn(agent, credentials)).response), TEST_SECRET);
    const secondSid = unsignSid(issuedCookie((await signIn(agent, credentials)).response), TEST_SECRET);
    expect(secondSid).not.toBe(firstSid);
    expect(await sessionDoc(t, firstSid)).toBeNull();
    expect(await sessionDoc(t, secondSid)).not.toBeNull();
  });
});

describe('GET /api/auth/me', () => {
  it('is 401 unauthenticated without a session', async () => {
    const res = await supertest(t.app).get('/api/auth/me');
    expect(res.status).toBe(401);
    expect(ErrorBodySchema.parse(res.body).error.code).toBe('unauthenticated');
  });

  it('describes the session: deadlines, remember-me and when the password was proven', async () => {
    const agent = t.agent();
    await register(agent);
    const { session } = MeResponseSchema.parse((await agent.get('/api/auth/me')).body);
    expect(session.rememberMe).toBe(false);
    expect(Date.parse(session.absoluteExpiresAt) - Date.parse(session.createdAt)).toBe(t.config.absoluteTimeoutSeconds * 1000);
    expect(Date.parse(session.expiresAt)).toBeLessThanOrEqual(Date.parse(session.absoluteExpiresAt));
  });
});

describe('POST /api/auth/logout', () => {
  it('ends the session server side, clears the cookie and sends Clear-Site-Data', async () => {
    const agent = t.agent();
    const credentials = await register(agent);
    const cookie = issuedCookie((await signIn(agent, credentials)).response);
    const sid = unsignSid(cookie, TEST_SECRET);
    const res = await agent.post('/api/auth/logout');
    expect(res.status).toBe(204);
    expect(res.headers['clear-site-data']).toBe('"cache", "storage"');
    expect(String(res.headers['set-cookie'])).toMatch(/gh\.sid=;.*Expires=Thu, 01 Jan 1970/);
    expect(await sessionDoc(t, sid)).toBeNull();
    const replay = await supertest(t.app).get('/api/auth/me').set('Cookie', cookieHeader(cookie));
    expect(replay.status).toBe(401);
  });

  it('is harmless without a session', async () => {
    expect((await supertest(t.app).post('/api/auth/logout')).status).toBe(204);
  });
});

describe('POST /api/auth/reauth', () => {
  it('accepts the password, rotates the session id and refreshes authenticatedAt', async () => {
    const agent = t.agent();
    const credentials = await register(agent);
    const before = MeResponseSchema.parse((await agent.get('/api/auth/me')).body).session;
    const res = await agent.post('/api/auth/reauth').send({ password: credentials.password });
    expect(res.status).toBe(200);
    const after = MeResponseSchema.parse(res.body).session;
    expect(Date.parse(after.authenticatedAt)).toBeGreaterThanOrEqual(Date.parse(before.authenticatedAt));
    expect(after.createdAt).toBe(before.createdAt);
    expect(findCookie(res)).toBeDefined();
  });

  it('refuses a wrong password with 401 invalid_credentials and keeps the session', async () => {
    const agent = t.agent();
    await register(agent);
    const res = await agent.post('/api/auth/reauth').send({ password: 'not my password' });
    expect(res.status).toBe(401);
    expect(ErrorBodySchema.parse(res.body).error.code).toBe('invalid_credentials');
    expect((await agent.get('/api/auth/me')).status).toBe(200);
  });

  it('needs a session', async () => {
    expect((await supertest(t.app).post('/api/auth/reauth').send({ password: STRONG_PASSWORD })).status).toBe(401);
  });
});

describe('POST /api/auth/password', () => {
  it('changes the password, keeps this session under a new id and ends the others', async () => {
    const agent = t.agent();
    const credentials = await register(agent);
    const other = t.agent();
    await signIn(other, credentials);
    const res = await agent.post('/api/auth/password').send({ currentPassword: credentials.password, newPassword: 'a brand new passphrase' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ endedSessions: 1 });
    expect((await agent.get('/api/auth/me')).status).toBe(200);
    expect((await other.get('/api/auth/me')).status).toBe(401);
    expect(await sessionDocs(t, { 'session.userId': credentials.id })).toHaveLength(1);
    expect((await supertest(t.app).post('/api/auth/login').send(credentials)).status).toBe(401);
    expect(
      (
        await supertest(t.app)
          .post('/api/auth/login')
          .send({ ...credentials, password: 'a brand new passphrase' })
      ).status,
    ).toBe(200);
  });

  it('refuses a wrong current password with 401 invalid_credentials', async () => {
    const agent = t.agent();
    await register(agent);
    const res = await agent.post('/api/auth/password').send({ currentPassword: 'not the password', newPassword: 'a brand new passphrase' });
    expect(res.status).toBe(401);
    expect(ErrorBodySchema.parse(res.body).error.code).toBe('invalid_credentials');
  });

  it('refuses a common new password with a field error', async () => {
    const agent = t.agent();
    const credentials = await register(agent);
    const res = await agent.post('/api/auth/password').send({ currentPassword: credentials.password, newPassword: 'password123' });
    expect(res.status).toBe(400);
    expect(ErrorBodySchema.parse(res.body).error.fields).toHaveProperty('newPassword');
  });
});

describe('anonymous traffic', () => {
  it('stores no session document and sets no cookie', async () => {
    const before = (await sessionDocs(t)).length;
    for (const path of ['/api/auth/me', '/api/health', '/api/nope', '/']) {
      const res = await supertest(t.app).get(path);
      expect(res.headers['set-cookie'], path).toBeUndefined();
    }
    const failed = await supertest(t.app).post('/api/auth/login').send({ email: 'nobody@example.com', password: 'whatever it is' });
    expect(failed.headers['set-cookie']).toBeUndefined();
    expect((await sessionDocs(t)).length).toBe(before);
  });
});
