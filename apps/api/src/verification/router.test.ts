import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivityListResponseSchema } from '@gatehouse/types/activity';
import { MeResponseSchema } from '@gatehouse/types/auth';
import { ChangeEmailResponseSchema, ResendVerificationResponseSchema, VerifyEmailResponseSchema } from '@gatehouse/types/email';
import { ErrorBodySchema } from '@gatehouse/types/errors';
import { createAccount, IPHONE_SAFARI, newCredentials } from '../test/accounts';
import { findCookie } from '../test/cookies';
import { lastMailTo, mailTo, tokenIn } from '../test/mail';
import { makeAuthStale, register, sessionDoc, signIn } from '../test/sign-in';
import { createTestApp } from '../test/test-app';
import { RELAXED_THROTTLE_LIMITS } from '../test/test-config';
import type { TestApp } from '../test/test-app';

const VERIFY_SUBJECT = 'confirm your email address';
const CHANGE_SUBJECT = 'confirm your new email address';
const errorCode = (body: unknown) => ErrorBodySchema.parse(body).error.code;
const me = async (agent: supertest.Agent) => MeResponseSchema.parse((await agent.get('/api/auth/me')).body);

describe('verified addresses', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('registration mails a link; following it confirms the address and signs the browser in with a new session (email_link)', async () => {
    const credentials = newCredentials();
    expect((await supertest(t.app).post('/api/auth/register').send(credentials)).status).toBe(202);
    const mail = await lastMailTo(t, credentials.email, VERIFY_SUBJECT);
    expect(mail.text).toContain(`${t.config.mail.publicUrl}/verify-email?token=`);

    const browser = t.agent();
    const res = await browser.post('/api/auth/email/verify').send({ token: tokenIn(mail) });
    expect(res.status).toBe(200);
    const body = VerifyEmailResponseSchema.parse(res.body);
    expect(body).toMatchObject({ outcome: 'verified', isSignedIn: true, user: { email: credentials.email, emailVerified: true } });
    expect(findCookie(res)).toBeDefined();
    const { user } = await me(browser);
    expect(user.emailVerified).toBe(true);
    const sessions = (await browser.get('/api/sessions')).body as { sessions: { authMethods: string[] }[] };
    expect(sessions.sessions[0]?.authMethods).toEqual(['email_link']);
    const events = ActivityListResponseSchema.parse((await browser.get('/api/activity')).body).events.map((event) => event.type);
    expect(events).toEqual(expect.arrayContaining(['registered', 'email_verification_sent', 'email_verified', 'sign_in']));
  });

  it('S33: the verification link works once', async () => {
    const credentials = newCredentials();
    await supertest(t.app).post('/api/auth/register').send(credentials);
    const token = tokenIn(await lastMailTo(t, credentials.email, VERIFY_SUBJECT));
    expect((await supertest(t.app).post('/api/auth/email/verify').send({ token })).status).toBe(200);
    const again = await supertest(t.app).post('/api/auth/email/verify').send({ token });
    expect(again.status).toBe(400);
    expect(errorCode(again.body)).toBe('invalid_token');
    expect(findCookie(again)).toBeUndefined();
  });

  it('the signed-in session that follows the link learns at once that its address is verified and stays; the first confirmation ends every other session (S43)', async () => {
    const account = await register(t.agent());
    const elsewhere = await signIn(t, account);
    expect((await me(account.agent)).user.emailVerified).toBe(false);
    const token = tokenIn(await lastMailTo(t, account.email, VERIFY_SUBJECT));
    expect((await account.agent.post('/api/auth/email/verify').send({ token })).status).toBe(200);
    expect((await me(account.agent)).user.emailVerified).toBe(true);
    expect((await elsewhere.agent.get('/api/auth/me')).status).toBe(401);
  });

  it('S33: resending makes a new link and kills the older one; once verified there is nothing to resend', async () => {
    const account = await register(t.agent());
    const older = tokenIn(await lastMailTo(t, account.email, VERIFY_SUBJECT));
    const resent = await account.agent.post('/api/auth/email/verification').send();
    expect(resent.status).toBe(202);
    expect(ResendVerificationResponseSchema.parse(resent.body).isAlreadyVerified).toBe(false);
    const newer = tokenIn(await lastMailTo(t, account.email, VERIFY_SUBJECT));
    expect(newer).not.toBe(older);
    expect(errorCode((await supertest(t.app).post('/api/auth/email/verify').send({ token: older })).body)).toBe('invalid_token');
    expect((await account.agent.post('/api/auth/email/verify').send({ token: newer })).status).toBe(200);

    const done = await account.agent.post('/api/auth/email/verification').send();
    expect(done.status).toBe(200);
    expect(ResendVerificationResponseSchema.parse(done.body).isAlreadyVerified).toBe(true);
    expect((await supertest(t.app).post('/api/auth/email/verification').send()).status).toBe(401);
  });

  it('S31: a link followed after the account changed (disabled meanwhile) starts no session', async () => {
    const credentials = newCredentials();
    await supertest(t.app).post('/api/auth/register').send(credentials);
    const token = tokenIn(await lastMailTo(t, credentials.email, VERIFY_SUBJECT));
    await t.connection.collection('users').updateOne({ email: credentials.email }, { $set: { disabledAt: new Date() }, $inc: { accountVersion: 1 } });
    const res = await supertest(t.app).post('/api/auth/email/verify').send({ token });
    expect(res.status).toBe(403);
    expect(errorCode(res.body)).toBe('account_disabled');
    expect(findCookie(res)).toBeUndefined();
  });
});

describe('S35: changing the address', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('S13, S35: needs a recent password proof; applies only once the new address’s link is followed; the old address is told', async () => {
    const account = await createAccount(t);
    const laptop = await signIn(t, account);
    const phone = await signIn(t, account, { userAgent: IPHONE_SAFARI });
    const newEmail = newCredentials().email;

    await makeAuthStale(t, laptop.sid);
    const stale = await laptop.agent.post('/api/auth/email/change').send({ email: newEmail });
    expect(stale.status).toBe(403);
    expect(errorCode(stale.body)).toBe('reauth_required');
    expect((await laptop.agent.post('/api/auth/reauth').send({ password: account.password })).status).toBe(200);

    const res = await laptop.agent.post('/api/auth/email/change').send({ email: newEmail });
    expect(res.status).toBe(202);
    expect(ChangeEmailResponseSchema.parse(res.body).pendingEmail).toBe(newEmail);
    const mail = await lastMailTo(t, newEmail, CHANGE_SUBJECT);
    // Not yet: the account keeps its address until the link is followed.
    expect((await me(phone.agent)).user.email).toBe(account.email);
    expect((await supertest(t.app).post('/api/auth/login').send({ email: newEmail, password: account.password })).status).toBe(401);

    const followed = await supertest(t.app)
      .post('/api/auth/email/verify')
      .send({ token: tokenIn(mail) });
    expect(followed.status).toBe(200);
    expect(VerifyEmailResponseSchema.parse(followed.body)).toMatchObject({
      outcome: 'email_changed',
      isSignedIn: false,
      user: { email: newEmail, emailVerified: true },
    });
    expect(findCookie(followed)).toBeUndefined();
    // Every session's copy of the account shows the new address at once.
    expect((await me(phone.agent)).user).toMatchObject({ email: newEmail, emailVerified: true });
    expect((await me(laptop.agent)).user.email).toBe(newEmail);
    const doc = await sessionDoc(t, phone.sid);
    expect((doc?.session as { user?: { email?: string } }).user?.email).toBe(newEmail);

    const notice = await lastMailTo(t, account.email, 'your email address was changed');
    expect(notice.text).toContain(newEmail);
    expect((await supertest(t.app).post('/api/auth/login').send({ email: newEmail, password: account.password })).status).toBe(200);
    expect((await supertest(t.app).post('/api/auth/login').send({ email: account.email, password: account.password })).status).toBe(401);
  });

  it('S33: links mailed to the old address stop working once the address changed', async () => {
    const account = await register(t.agent());
    const verification = tokenIn(await lastMailTo(t, account.email, VERIFY_SUBJECT));
    await supertest(t.app).post('/api/auth/password/forgot').send({ email: account.email });
    const resetToken = tokenIn(await lastMailTo(t, account.email, 'set a new password'));
    const newEmail = newCredentials().email;
    expect((await account.agent.post('/api/auth/email/change').send({ email: newEmail })).status).toBe(202);
    expect(
      (
        await supertest(t.app)
          .post('/api/auth/email/verify')
          .send({ token: tokenIn(await lastMailTo(t, newEmail, CHANGE_SUBJECT)) })
      ).status,
    ).toBe(200);
    expect(errorCode((await supertest(t.app).post('/api/auth/email/verify').send({ token: verification })).body)).toBe('invalid_token');
    expect(errorCode((await supertest(t.app).post('/api/auth/password/reset').send({ token: resetToken, password: 'a freshly chosen passphrase' })).body)).toBe(
      'invalid_token',
    );
  });

  it('S34: asking for an address another account has answers the same; that owner is told, nothing changes, no link exists', async () => {
    const account = await register(t.agent());
    const other = await createAccount(t);
    const free = newCredentials().email;
    const taken = await account.agent.post('/api/auth/email/change').send({ email: other.email });
    const open = await account.agent.post('/api/auth/email/change').send({ email: free });
    expect(taken.status).toBe(202);
    expect(open.status).toBe(202);
    expect(taken.body).toEqual({
      ...(open.body as object),
      message: (open.body as { message: string }).message.replace(free, other.email),
      pendingEmail: other.email,
    });
    const notice = await lastMailTo(t, other.email, 'someone tried to use your address');
    expect(notice.text).not.toContain('token=');
    expect(await mailTo(t, other.email, CHANGE_SUBJECT)).toHaveLength(0);
    expect((await me(account.agent)).user.email).toBe(account.email);
  });

  it('refuses the address the account already has, and needs a session', async () => {
    const account = await register(t.agent());
    const same = await account.agent.post('/api/auth/email/change').send({ email: account.email });
    expect(same.status).toBe(400);
    expect(ErrorBodySchema.parse(same.body).error.fields).toHaveProperty('email');
    expect((await supertest(t.app).post('/api/auth/email/change').send({ email: newCredentials().email })).status).toBe(401);
  });
});

describe('REQUIRE_VERIFIED_EMAIL=true', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ requireVerifiedEmail: true });
  });
  afterAll(() => t.close());

  it('the right password of an unverified account is 403 email_unverified with a fresh link mailed; the link signs in; then passwords work', async () => {
    const credentials = newCredentials();
    await supertest(t.app).post('/api/auth/register').send(credentials);
    const first = tokenIn(await lastMailTo(t, credentials.email, VERIFY_SUBJECT));

    const wrong = await supertest(t.app)
      .post('/api/auth/login')
      .send({ ...credentials, password: 'not the password at all' });
    expect(errorCode(wrong.body)).toBe('invalid_credentials');
    const refused = await supertest(t.app).post('/api/auth/login').send(credentials);
    expect(refused.status).toBe(403);
    expect(errorCode(refused.body)).toBe('email_unverified');
    expect(findCookie(refused)).toBeUndefined();
    const fresh = tokenIn(await lastMailTo(t, credentials.email, VERIFY_SUBJECT));
    expect(fresh).not.toBe(first);

    expect((await supertest(t.app).post('/api/auth/email/verify').send({ token: fresh })).status).toBe(200);
    expect((await supertest(t.app).post('/api/auth/login').send(credentials)).status).toBe(200);
  });
});

describe('new-device alerts', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ trustProxy: true });
  });
  afterAll(() => t.close());

  const ALERT = 'new sign-in to your account';

  it('a sign-in from a browser the account never used mails the owner the device, IP, time and a dashboard link; the first browser and known ones do not', async () => {
    const account = await createAccount(t);
    const laptop = t.agent();
    await signIn(t, account, { agent: laptop });
    await signIn(t, account, { agent: laptop });
    expect(await mailTo(t, account.email, ALERT)).toHaveLength(0);

    const phone = t.agent().set('X-Forwarded-For', '198.51.100.23');
    const before = Date.now();
    await signIn(t, account, { agent: phone, userAgent: IPHONE_SAFARI });
    const [alert, ...more] = await mailTo(t, account.email, ALERT);
    expect(more).toHaveLength(0);
    expect(alert?.text).toContain('Device: Safari 17 on iOS 17.5 (mobile)');
    expect(alert?.text).toContain('IP address: 198.51.100.23');
    expect(alert?.text).toMatch(new RegExp(`Time: ${new Date(before).toISOString().slice(0, 10)} \\d\\d:\\d\\d UTC`));
    expect(alert?.text).toContain(`${t.config.mail.publicUrl}/`);
    expect(alert?.html).toContain('Review your sessions');

    await signIn(t, account, { agent: phone, userAgent: IPHONE_SAFARI });
    expect(await mailTo(t, account.email, ALERT)).toHaveLength(1);
    const events = ActivityListResponseSchema.parse((await phone.get('/api/activity')).body).events;
    expect(events.filter((event) => event.type === 'new_device_sign_in')).toHaveLength(1);
  });
});

describe('throttled resending', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ throttle: { ...RELAXED_THROTTLE_LIMITS, mailPerAddress: { points: 5, durationSeconds: 3600 } } });
  });
  afterAll(() => t.close());

  it('resending counts against the address’s mail budget (registration took one): the sixth mail in the hour is 429 with Retry-After', async () => {
    const account = await register(t.agent());
    for (let i = 0; i < 4; i += 1) expect((await account.agent.post('/api/auth/email/verification').send()).status).toBe(202);
    const refused = await account.agent.post('/api/auth/email/verification').send();
    expect(refused.status).toBe(429);
    expect(errorCode(refused.body)).toBe('too_many_requests');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(await mailTo(t, account.email, VERIFY_SUBJECT)).toHaveLength(5);
  });
});
