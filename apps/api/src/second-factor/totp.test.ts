import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivityListResponseSchema } from '@gatehouse/types/activity';
import { ErrorBodySchema } from '@gatehouse/types/errors';
import { PasswordLoginResponseSchema, SecondFactorStatusResponseSchema, TotpEnrolmentResponseSchema } from '@gatehouse/types/second-factor';
import { SessionListResponseSchema } from '@gatehouse/types/sessions';
import { PRODUCTION_THROTTLE_LIMITS } from '../config';
import { createAccount } from '../test/accounts';
import { enrolTotp, passwordStep, testClock, totpCode } from '../test/second-factor';
import { makeAuthStale, signIn } from '../test/sign-in';
import { createTestApp } from '../test/test-app';
import type { TestApp } from '../test/test-app';
import { RELAXED_THROTTLE_LIMITS } from '../test/test-config';
import { RECOVERY_CODES_COLLECTION, TOTP_COLLECTION } from './second-factors';
import { createSecretBox, SecretBoxError } from './secret-box';

const errorCode = (res: supertest.Response) => ErrorBodySchema.parse(res.body).error.code;

describe('authenticator app (TOTP)', () => {
  const clock = testClock();
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ clock });
  });
  afterAll(() => t.close());

  it('enrols with a secret and an otpauth:// URI, shown once and confirmed by a first code; ten recovery codes', async () => {
    const account = await createAccount(t);
    const { agent } = await signIn(t, account);
    const begun = await agent.post('/api/account/totp').send({});
    expect(begun.status).toBe(200);
    const { secret, uri } = TotpEnrolmentResponseSchema.parse(begun.body);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(uri).toContain(`secret=${secret}`);
    expect(uri).toContain('issuer=Gatehouse');
    // Not on until confirmed: a password sign-in still needs nothing more.
    expect(SecondFactorStatusResponseSchema.parse((await agent.get('/api/account/second-factor')).body).totp.isEnabled).toBe(false);
    expect(PasswordLoginResponseSchema.parse((await supertest(t.app).post('/api/auth/login').send(account)).body)).toHaveProperty('user');

    const wrong = await agent.post('/api/account/totp/confirm').send({ code: '000000' === totpCode(secret, clock()) ? '111111' : '000000' });
    expect(wrong.status).toBe(401);
    expect(errorCode(wrong)).toBe('invalid_code');
    const confirmed = await agent.post('/api/account/totp/confirm').send({ code: totpCode(secret, clock()) });
    expect(confirmed.status).toBe(200);
    const { recoveryCodes } = confirmed.body as { recoveryCodes: string[] };
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes) expect(code).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);

    const status = SecondFactorStatusResponseSchema.parse((await agent.get('/api/account/second-factor')).body);
    expect(status).toMatchObject({ totp: { isEnabled: true }, recoveryCodesLeft: 10, isRequiredForAdmin: false });
    expect(errorCode(await agent.post('/api/account/totp').send({}))).toBe('totp_already_enabled');
    clock.advance();
  });

  it('S13: enrol, disable and new recovery codes need a fresh proof of identity', async () => {
    const account = await createAccount(t);
    const { agent, sid } = await signIn(t, account);
    await enrolTotp(agent, clock);
    await makeAuthStale(t, sid);
    for (const res of [
      await agent.post('/api/account/totp').send({}),
      await agent.delete('/api/account/totp'),
      await agent.post('/api/account/recovery-codes').send({}),
    ]) {
      expect(res.status).toBe(403);
      expect(errorCode(res)).toBe('reauth_required');
    }
  });

  it('sign-in: password, then the code; the session records both methods', async () => {
    const account = await createAccount(t);
    const { agent } = await signIn(t, account);
    const { secret } = await enrolTotp(agent, clock);

    const browser = t.agent();
    const first = await passwordStep(browser, account);
    expect(first.body).toEqual({ secondFactorRequired: true, methods: ['totp', 'recovery_code'] });
    expect((await browser.get('/api/auth/me')).status).toBe(401);
    const second = await browser.post('/api/auth/login/second-factor').send({ code: totpCode(secret, clock()) });
    expect(second.status).toBe(200);
    expect(second.body.user.email).toBe(account.email);
    expect((await browser.get('/api/auth/me')).status).toBe(200);

    const { sessions } = SessionListResponseSchema.parse((await browser.get('/api/sessions')).body);
    expect(sessions.find((session) => session.isCurrent)?.authMethods).toEqual(['password', 'totp']);
    expect(sessions.find((session) => !session.isCurrent)?.authMethods).toEqual(['password']);
    const events = ActivityListResponseSchema.parse((await browser.get('/api/activity')).body).events;
    expect(events[0]).toMatchObject({ type: 'sign_in', authMethods: ['password', 'totp'] });
    expect(events.map((event) => event.type)).toEqual(expect.arrayContaining(['totp_enabled']));
    clock.advance();
  });

  it('S36: the same code twice is refused, even from another browser within its 30 seconds', async () => {
    const account = await createAccount(t);
    const { secret } = await enrolTotp((await signIn(t, account)).agent, clock);
    const code = totpCode(secret, clock());

    const first = t.agent();
    await passwordStep(first, account);
    expect((await first.post('/api/auth/login/second-factor').send({ code })).status).toBe(200);

    const second = t.agent();
    await passwordStep(second, account);
    const replay = await second.post('/api/auth/login/second-factor').send({ code });
    expect(replay.status).toBe(401);
    expect(errorCode(replay)).toBe('invalid_code');
    // A code of an earlier step (inside the window) is a replay too.
    const earlier = await second.post('/api/auth/login/second-factor').send({ code: totpCode(secret, clock() - 30_000) });
    expect(errorCode(earlier)).toBe('invalid_code');
    // The next step's code works.
    clock.advance();
    expect((await second.post('/api/auth/login/second-factor').send({ code: totpCode(secret, clock()) })).status).toBe(200);
    clock.advance();
  });

  it('S36: the database holds no plaintext secret, and the stored value opens only with the key and for its account', async () => {
    const account = await createAccount(t);
    const { secret } = await enrolTotp((await signIn(t, account)).agent, clock);
    const doc = await t.connection.collection<{ _id: string; secret: string }>(TOTP_COLLECTION).findOne({ _id: account.id });
    expect(doc).not.toBeNull();
    const stored = JSON.stringify(doc);
    expect(stored).not.toContain(secret);
    expect(stored.toLowerCase()).not.toContain(secret.toLowerCase());
    expect(stored).not.toContain(Buffer.from(secret).toString('base64'));

    const sealed = doc?.secret ?? '';
    expect(createSecretBox(t.config.totpEncryptionKeys).open(sealed, `totp:${account.id}`)).toBe(secret);
    const otherKey = createSecretBox([Buffer.alloc(32, 1)]);
    expect(() => otherKey.open(sealed, `totp:${account.id}`)).toThrow(SecretBoxError);
    // Rotation: a new key first, the old one still opens what it sealed.
    expect(createSecretBox([Buffer.alloc(32, 1), ...t.config.totpEncryptionKeys]).open(sealed, `totp:${account.id}`)).toBe(secret);
    // Moved to another account's document, it does not open.
    expect(() => createSecretBox(t.config.totpEncryptionKeys).open(sealed, 'totp:000000000000000000000000')).toThrow(SecretBoxError);
    clock.advance();
  });

  it('S36: recovery codes are stored hashed and work once; using one is recorded for the owner', async () => {
    const account = await createAccount(t);
    const owner = await signIn(t, account);
    const { recoveryCodes } = await enrolTotp(owner.agent, clock);
    const stored = await t.connection.collection(RECOVERY_CODES_COLLECTION).find({ userId: account.id }).toArray();
    expect(stored).toHaveLength(10);
    const dump = JSON.stringify(stored);
    for (const code of recoveryCodes) {
      expect(dump).not.toContain(code);
      expect(dump).not.toContain(code.replaceAll('-', ''));
    }

    const [code = ''] = recoveryCodes;
    const browser = t.agent();
    await passwordStep(browser, account);
    // Typed with spaces and in capitals: the same code.
    const used = await browser.post('/api/auth/login/second-factor').send({ code: code.toUpperCase().replaceAll('-', ' ') });
    expect(used.status).toBe(200);
    const { sessions } = SessionListResponseSchema.parse((await browser.get('/api/sessions')).body);
    expect(sessions.find((session) => session.isCurrent)?.authMethods).toEqual(['password', 'recovery_code']);

    const again = t.agent();
    await passwordStep(again, account);
    const reused = await again.post('/api/auth/login/second-factor').send({ code });
    expect(reused.status).toBe(401);
    expect(errorCode(reused)).toBe('invalid_code');

    const events = ActivityListResponseSchema.parse((await owner.agent.get('/api/activity')).body).events;
    expect(events.find((event) => event.type === 'recovery_code_used')).toMatchObject({ isSuspicious: true });
    expect(SecondFactorStatusResponseSchema.parse((await owner.agent.get('/api/account/second-factor')).body).recoveryCodesLeft).toBe(9);
  });

  it('new recovery codes replace the old ones; turning the app off drops them and the second step', async () => {
    const account = await createAccount(t);
    const owner = await signIn(t, account);
    const { recoveryCodes: oldCodes } = await enrolTotp(owner.agent, clock);
    const regenerated = await owner.agent.post('/api/account/recovery-codes').send({});
    expect(regenerated.status).toBe(200);
    const newCodes = (regenerated.body as { recoveryCodes: string[] }).recoveryCodes;
    expect(newCodes).toHaveLength(10);

    const browser = t.agent();
    await passwordStep(browser, account);
    expect(errorCode(await browser.post('/api/auth/login/second-factor').send({ code: oldCodes[0] }))).toBe('invalid_code');
    expect((await browser.post('/api/auth/login/second-factor').send({ code: newCodes[0] })).status).toBe(200);

    expect((await owner.agent.delete('/api/account/totp')).status).toBe(204);
    expect(errorCode(await owner.agent.delete('/api/account/totp'))).toBe('totp_not_enabled');
    expect(await t.connection.collection(RECOVERY_CODES_COLLECTION).countDocuments({ userId: account.id })).toBe(0);
    const plain = await supertest(t.app).post('/api/auth/login').send({ email: account.email, password: account.password });
    expect(plain.body).toHaveProperty('user');
    const types = ActivityListResponseSchema.parse((await owner.agent.get('/api/activity')).body).events.map((event) => event.type);
    expect(types).toContain('totp_disabled');
  });

  it('S22: a code that is not a string is refused with 400 before anything is checked', async () => {
    const account = await createAccount(t);
    await enrolTotp((await signIn(t, account)).agent, clock);
    const browser = t.agent();
    await passwordStep(browser, account);
    for (const code of [{ $ne: null }, 123456, ['123456'], 'x'.repeat(65)]) {
      const res = await browser.post('/api/auth/login/second-factor').send({ code });
      expect(res.status).toBe(400);
    }
  });
});

describe('S36: code attempts are throttled like passwords', () => {
  const clock = testClock();
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ clock, throttle: { ...RELAXED_THROTTLE_LIMITS, secondFactorPerAccount: PRODUCTION_THROTTLE_LIMITS.secondFactorPerAccount } });
  });
  afterAll(() => t.close());

  it('S36: ten wrong codes for an account, then 429 with Retry-After, even for the right code and from another browser', async () => {
    const account = await createAccount(t);
    const { secret } = await enrolTotp((await signIn(t, account)).agent, clock);
    const right = totpCode(secret, clock());
    const wrong = right === '000000' ? '000001' : '000000';
    const browser = t.agent();
    await passwordStep(browser, account);
    for (let attempt = 0; attempt < PRODUCTION_THROTTLE_LIMITS.secondFactorPerAccount.points; attempt += 1) {
      expect((await browser.post('/api/auth/login/second-factor').send({ code: wrong })).status).toBe(401);
    }
    const refused = await browser.post('/api/auth/login/second-factor').send({ code: right });
    expect(refused.status).toBe(429);
    expect(errorCode(refused)).toBe('too_many_requests');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);

    const elsewhere = supertest.agent(t.app);
    await passwordStep(elsewhere, account);
    expect((await elsewhere.post('/api/auth/login/second-factor').set('X-Forwarded-For', '203.0.113.9').send({ code: right })).status).toBe(429);
  });

  it('S36: a right code gives its points back, so the owner typing a code now and then is never held back', async () => {
    const account = await createAccount(t);
    const { secret } = await enrolTotp((await signIn(t, account)).agent, clock);
    for (let signInCount = 0; signInCount < PRODUCTION_THROTTLE_LIMITS.secondFactorPerAccount.points + 2; signInCount += 1) {
      const browser = t.agent();
      await passwordStep(browser, account);
      expect((await browser.post('/api/auth/login/second-factor').send({ code: totpCode(secret, clock()) })).status).toBe(200);
      clock.advance();
    }
  });
});
