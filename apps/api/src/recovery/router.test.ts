import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivityListResponseSchema } from '@gatehouse/types/activity';
import { ErrorBodySchema } from '@gatehouse/types/errors';
import { CheckResetTokenResponseSchema, ResetPasswordResponseSchema } from '@gatehouse/types/recovery';
import { PRODUCTION_THROTTLE_LIMITS } from '../config';
import { ACCOUNT_TOKENS_COLLECTION, hashToken } from '../tokens/account-tokens';
import { createAccount, newCredentials } from '../test/accounts';
import { lastMailTo, mailTo, tokenIn } from '../test/mail';
import { register, sessionDocs, signIn, signInAdmin } from '../test/sign-in';
import { createTestApp } from '../test/test-app';
import type { TestApp } from '../test/test-app';

const NEW_PASSWORD = 'a freshly chosen passphrase';
const RESET_SUBJECT = 'set a new password';
const errorCode = (body: unknown) => ErrorBodySchema.parse(body).error.code;

async function requestReset(t: TestApp, email: string): Promise<string> {
  const res = await supertest(t.app).post('/api/auth/password/forgot').send({ email });
  expect(res.status).toBe(202);
  return tokenIn(await lastMailTo(t, email, RESET_SUBJECT));
}

const reset = (t: TestApp, token: string, password = NEW_PASSWORD) => supertest(t.app).post('/api/auth/password/reset').send({ token, password });

describe('forgot password and the reset link', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ logLevel: 'trace' });
  });
  afterAll(() => t.close());

  it('mails an absolute link to the reset page with a plain-text and an HTML part, in the product’s name', async () => {
    const account = await createAccount(t);
    const token = await requestReset(t, account.email);
    const mail = await lastMailTo(t, account.email, RESET_SUBJECT);
    expect(mail.subject).toBe('Gatehouse: set a new password');
    expect(mail.text).toContain(`${t.config.mail.publicUrl}/reset-password?token=${token}`);
    expect(mail.html).toContain(`href="${t.config.mail.publicUrl}/reset-password?token=${token}"`);
    expect(mail.html).toMatch(/^<!doctype html>/);
    expect(mail.text).toContain('30 minutes');
  });

  it('S33: the token has 256 random bits; only its SHA-256 is stored; neither the database nor the log holds the token', async () => {
    const account = await createAccount(t);
    const token = await requestReset(t, account.email);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);

    const everything: unknown[] = [];
    const db = t.connection.db;
    if (!db) throw new Error('not connected');
    for (const { name } of await db.listCollections().toArray()) {
      everything.push(...(await t.connection.collection(name).find({}).toArray()));
    }
    const dump = JSON.stringify(everything);
    expect(dump).not.toContain(token);
    expect(dump).toContain(hashToken(token));
    expect(t.logText()).not.toContain(token);
    expect(t.logText()).not.toContain(hashToken(token));
    const mailLines = t.logLines().filter((line) => typeof line.mail === 'object');
    expect(mailLines.length).toBeGreaterThan(0);
    expect(JSON.stringify(mailLines)).not.toContain(account.email);
  });

  it('S33: a link works once: the reset succeeds, the same link again is 400 invalid_token', async () => {
    const account = await createAccount(t);
    const token = await requestReset(t, account.email);
    const check = await supertest(t.app).post('/api/auth/password/reset/check').send({ token });
    expect(check.status).toBe(200);
    expect(CheckResetTokenResponseSchema.parse(check.body).email).toBe(account.email);

    const first = await reset(t, token);
    expect(first.status).toBe(200);
    expect(ResetPasswordResponseSchema.parse(first.body)).toEqual({ endedSessions: 0 });
    const again = await reset(t, token, 'yet another long passphrase');
    expect(again.status).toBe(400);
    expect(errorCode(again.body)).toBe('invalid_token');
    expect((await supertest(t.app).post('/api/auth/password/reset/check').send({ token })).status).toBe(400);
    expect((await supertest(t.app).post('/api/auth/login').send({ email: account.email, password: NEW_PASSWORD })).status).toBe(200);
  });

  it('S33: a newer link kills the older one', async () => {
    const account = await createAccount(t);
    const older = await requestReset(t, account.email);
    const newer = await requestReset(t, account.email);
    expect(newer).not.toBe(older);
    const refused = await reset(t, older);
    expect(refused.status).toBe(400);
    expect(errorCode(refused.body)).toBe('invalid_token');
    expect((await reset(t, newer)).status).toBe(200);
  });

  it('S33: an expired link is refused; links expire 30 minutes after they are issued, by a TTL index', async () => {
    const account = await createAccount(t);
    const token = await requestReset(t, account.email);
    const tokens = t.connection.collection<{ tokenHash: string; createdAt: Date; expiresAt: Date }>(ACCOUNT_TOKENS_COLLECTION);
    const stored = await tokens.findOne({ tokenHash: hashToken(token) });
    expect(stored && stored.expiresAt.getTime() - stored.createdAt.getTime()).toBe(30 * 60 * 1000);
    const ttl = (await tokens.listIndexes().toArray()).find((index) => JSON.stringify(index.key) === '{"expiresAt":1}');
    expect(ttl?.expireAfterSeconds).toBe(0);

    // The clock moves past the deadline (the TTL monitor may not have run yet: reads check the time themselves).
    await tokens.updateOne({ tokenHash: hashToken(token) }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    const refused = await reset(t, token);
    expect(refused.status).toBe(400);
    expect(errorCode(refused.body)).toBe('invalid_token');
    expect((await supertest(t.app).post('/api/auth/login').send({ email: account.email, password: NEW_PASSWORD })).status).toBe(401);
  });

  it('S33: a password change kills every outstanding link: the reset link and the sign-in link of the verification mail', async () => {
    const account = await register(t.agent());
    const verificationToken = tokenIn(await lastMailTo(t, account.email, 'confirm your email address'));
    const resetToken = await requestReset(t, account.email);
    const changed = await account.agent.post('/api/auth/password').send({ currentPassword: account.password, newPassword: NEW_PASSWORD });
    expect(changed.status).toBe(200);
    expect(errorCode((await reset(t, resetToken, 'yet another long passphrase')).body)).toBe('invalid_token');
    const verify = await supertest(t.app).post('/api/auth/email/verify').send({ token: verificationToken });
    expect(verify.status).toBe(400);
    expect(errorCode(verify.body)).toBe('invalid_token');
  });

  it('S33: unknown, malformed and wrong-kind tokens are all invalid_token; a refused new password leaves the link working', async () => {
    for (const token of ['x', 'A'.repeat(43), '../../etc/passwd', 'a b c']) {
      const res = await reset(t, token);
      expect(res.status, token).toBe(400);
      expect(errorCode(res.body), token).toBe('invalid_token');
    }
    expect(
      errorCode(
        (
          await supertest(t.app)
            .post('/api/auth/password/reset')
            .send({ token: { $ne: null }, password: NEW_PASSWORD })
        ).body,
      ),
    ).toBe('validation_failed');

    const account = await register(t.agent());
    const verificationToken = tokenIn(await lastMailTo(t, account.email, 'confirm your email address'));
    expect(errorCode((await reset(t, verificationToken)).body)).toBe('invalid_token');
    const resetToken = await requestReset(t, account.email);
    expect(errorCode((await supertest(t.app).post('/api/auth/email/verify').send({ token: resetToken })).body)).toBe('invalid_token');

    const common = await reset(t, resetToken, 'password123');
    expect(common.status).toBe(400);
    expect(ErrorBodySchema.parse(common.body).error.fields).toHaveProperty('password');
    expect((await reset(t, resetToken)).status).toBe(200);
  });

  it('S35: the reset ends every session of the account at once, this browser’s too, records it, and mails a notice', async () => {
    const account = await createAccount(t);
    const laptop = await signIn(t, account);
    const phone = await signIn(t, account);
    const token = await requestReset(t, account.email);

    // The link opened in the laptop's browser, which is signed in.
    const res = await laptop.agent.post('/api/auth/password/reset').send({ token, password: NEW_PASSWORD });
    expect(res.status).toBe(200);
    expect(ResetPasswordResponseSchema.parse(res.body).endedSessions).toBe(2);
    expect(String(res.headers['set-cookie'])).toMatch(/gh\.sid=;/);
    expect((await phone.agent.get('/api/auth/me')).status).toBe(401);
    expect((await laptop.agent.get('/api/auth/me')).status).toBe(401);
    expect(await sessionDocs(t, { 'session.userId': account.id })).toHaveLength(0);

    expect((await supertest(t.app).post('/api/auth/login').send({ email: account.email, password: account.password })).status).toBe(401);
    const again = await signIn(t, { email: account.email, password: NEW_PASSWORD });
    const activity = ActivityListResponseSchema.parse((await again.agent.get('/api/activity')).body).events.map((event) => event.type);
    expect(activity).toEqual(expect.arrayContaining(['password_reset_requested', 'password_reset', 'session_revoked']));
    const notice = await lastMailTo(t, account.email, 'your password was changed');
    expect(notice.text).toContain('every session of the account was signed out (2)');
  });

  it('S35: a reset through a link also confirms the address the link went to', async () => {
    const account = await register(t.agent());
    expect((await account.agent.get('/api/auth/me')).body.user.emailVerified).toBe(false);
    expect((await reset(t, await requestReset(t, account.email))).status).toBe(200);
    const again = await signIn(t, { email: account.email, password: NEW_PASSWORD });
    expect((await again.agent.get('/api/auth/me')).body.user.emailVerified).toBe(true);
  });

  it('S34: forgot password for an address without an account answers the same and mails nobody', async () => {
    const unknown = newCredentials().email;
    const res = await supertest(t.app).post('/api/auth/password/forgot').send({ email: unknown });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ message: 'If an account exists for that address, we sent a link to set a new password. It works for 30 minutes.' });
    expect(await mailTo(t, unknown)).toHaveLength(0);
  });

  it('a disabled account gets no reset link (it could not sign in with it), though the answer is the same', async () => {
    const account = await createAccount(t);
    await t.connection.collection('users').updateOne({ email: account.email }, { $set: { disabledAt: new Date() } });
    expect((await supertest(t.app).post('/api/auth/password/forgot').send({ email: account.email })).status).toBe(202);
    expect(await mailTo(t, account.email)).toHaveLength(0);
  });
});

describe('throttles: 429 with Retry-After', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ trustProxy: true, throttle: PRODUCTION_THROTTLE_LIMITS });
  });
  afterAll(() => t.close());

  const forgot = (email: string, ip: string) => supertest(t.app).post('/api/auth/password/forgot').set('X-Forwarded-For', ip).send({ email });

  it('S34: forgot password per address: the sixth request within the hour is 429, for a known and an unknown address alike', async () => {
    const known = (await createAccount(t)).email;
    const unknown = newCredentials().email;
    const answers = [];
    for (const email of [known, unknown]) {
      for (let i = 0; i < 5; i += 1) expect((await forgot(email, `192.0.2.${10 + i}`)).status).toBe(202);
      answers.push(await forgot(email, '192.0.2.99'));
    }
    for (const res of answers) {
      expect(res.status).toBe(429);
      expect(errorCode(res.body)).toBe('too_many_requests');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(answers[0]?.body).toEqual(answers[1]?.body);
    expect(await mailTo(t, known, RESET_SUBJECT)).toHaveLength(5);
  });

  it('forgot password per IP: twenty addresses from one IP, then 429', async () => {
    for (let i = 0; i < 20; i += 1) expect((await forgot(newCredentials().email, '198.51.100.7')).status).toBe(202);
    const refused = await forgot(newCredentials().email, '198.51.100.7');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((await forgot(newCredentials().email, '198.51.100.8')).status).toBe(202);
  });

  it('one-time links presented from one IP: thirty, then 429', async () => {
    const check = () =>
      supertest(t.app)
        .post('/api/auth/password/reset/check')
        .set('X-Forwarded-For', '203.0.113.77')
        .send({ token: 'A'.repeat(43) });
    for (let i = 0; i < 30; i += 1) expect((await check()).status).toBe(400);
    const refused = await check();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('an administrator sends a reset link', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('the user gets the link by mail; the administrator’s answer holds no token and no password; activity says an admin asked', async () => {
    const admin = await signInAdmin(t);
    const member = await createAccount(t);
    const res = await admin.agent.post(`/api/admin/users/${member.id}/password-reset`).send();
    expect(res.status).toBe(202);
    const mail = await lastMailTo(t, member.email, RESET_SUBJECT);
    expect(mail.text).toContain('An administrator asked');
    const token = tokenIn(mail);
    expect(JSON.stringify(res.body)).not.toContain(token);
    expect(Object.keys(res.body as object)).toEqual(['message']);

    expect((await reset(t, token)).status).toBe(200);
    const member2 = await signIn(t, { email: member.email, password: NEW_PASSWORD });
    const events = ActivityListResponseSchema.parse((await member2.agent.get('/api/activity')).body).events;
    expect(events.find((event) => event.type === 'password_reset_requested')?.actor).toBe('admin');
  });

  it('S27: a non-admin cannot send one (403), nor can anybody anonymous (401)', async () => {
    const member = await createAccount(t);
    const other = await signIn(t, await createAccount(t));
    expect((await other.agent.post(`/api/admin/users/${member.id}/password-reset`).send()).status).toBe(403);
    expect((await supertest(t.app).post(`/api/admin/users/${member.id}/password-reset`).send()).status).toBe(401);
    expect(await mailTo(t, member.email)).toHaveLength(0);
  });
});
