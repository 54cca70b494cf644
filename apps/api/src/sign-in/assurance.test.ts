import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeResponseSchema } from '@gatehouse/types/auth';
import { VerifyEmailResponseSchema } from '@gatehouse/types/email';
import { ErrorBodySchema } from '@gatehouse/types/errors';
import { SessionListResponseSchema } from '@gatehouse/types/sessions';
import { getUserModel } from '../users/user-model';
import { PRODUCTION_THROTTLE_LIMITS } from '../config';
import { createAccount } from '../test/accounts';
import type { Account } from '../test/accounts';
import { lastMailTo, tokenIn } from '../test/mail';
import { enrolTotp, passwordStep, testClock, totpCode } from '../test/second-factor';
import type { EnrolledTotp } from '../test/second-factor';
import { signIn, signInAdmin } from '../test/sign-in';
import { createTestApp } from '../test/test-app';
import type { TestApp } from '../test/test-app';
import { RELAXED_THROTTLE_LIMITS } from '../test/test-config';

const VERIFY_SUBJECT = 'confirm your email address';
const errorOf = (res: supertest.Response) => ErrorBodySchema.parse(res.body).error;
const currentSession = async (agent: supertest.Agent) =>
  SessionListResponseSchema.parse((await agent.get('/api/sessions')).body).sessions.find((s) => s.isCurrent);

/** Signs in with password and authenticator code: an aal2 session. */
async function signInWithCode(t: TestApp, account: Account, totp: EnrolledTotp, clock: ReturnType<typeof testClock>) {
  const agent = supertest.agent(t.app);
  await passwordStep(agent, account);
  clock.advance();
  const done = await agent.post('/api/auth/login/second-factor').send({ code: totpCode(totp.secret, clock()) });
  expect(done.status, JSON.stringify(done.body)).toBe(200);
  return agent;
}

/** A confirmation link for an address that is not confirmed (yet, or any more), as the account's owner asks for one. */
async function confirmationToken(t: TestApp, account: Account, agent: supertest.Agent): Promise<string> {
  expect((await agent.post('/api/auth/email/verification').send()).status).toBe(202);
  return tokenIn(await lastMailTo(t, account.email, VERIFY_SUBJECT));
}

/** As an account from before factors needed a confirmed address: it has one, and its address is unconfirmed. */
async function unconfirm(t: TestApp, account: Account): Promise<void> {
  await getUserModel(t.connection).updateOne({ _id: account.id }, { $set: { emailVerifiedAt: null } });
}

describe('assurance levels (S41–S44)', () => {
  const clock = testClock();
  let t: TestApp;
  let strictAdmin: TestApp;
  beforeAll(async () => {
    [t, strictAdmin] = await Promise.all([createTestApp({ clock }), createTestApp({ clock, requireAdminSecondFactor: true })]);
  });
  afterAll(() => Promise.all([t.close(), strictAdmin.close()]));

  it('S41: sessions record aal1 for a password alone and aal2 for password + code, in GET /api/sessions and /api/auth/me', async () => {
    const account = await createAccount(t);
    const first = await signIn(t, account);
    expect((await currentSession(first.agent))?.assurance).toBe('aal1');
    expect(MeResponseSchema.parse((await first.agent.get('/api/auth/me')).body).session.assurance).toBe('aal1');
    const totp = await enrolTotp(first.agent, clock);
    const second = await signInWithCode(t, account, totp, clock);
    const listed = await currentSession(second);
    expect(listed).toMatchObject({ assurance: 'aal2', authMethods: ['password', 'totp'] });
    expect(MeResponseSchema.parse((await second.get('/api/auth/me')).body).session.assurance).toBe('aal2');
  });

  it('S41: a confirmation link for an account with an authenticator app signs nothing in: the second step follows, the admin API and DELETE /api/account/totp are refused', async () => {
    const account = await createAccount(t, { role: 'admin' });
    const owner = await signIn(t, account);
    const totp = await enrolTotp(owner.agent, clock);
    await unconfirm(t, account);
    const token = await confirmationToken(t, account, owner.agent);

    const mailReader = supertest.agent(t.app);
    const followed = await mailReader.post('/api/auth/email/verify').send({ token });
    expect(followed.status).toBe(200);
    expect(VerifyEmailResponseSchema.parse(followed.body)).toMatchObject({ isSignedIn: false, secondFactorRequired: true, methods: ['totp', 'recovery_code'] });
    expect((await mailReader.get('/api/auth/me')).status).toBe(401);
    expect((await mailReader.get('/api/admin/users')).status).toBe(401);
    expect((await mailReader.delete('/api/account/totp')).status).toBe(401);

    // The pending sign-in the link left is completed by the second step like a password's: aal2.
    clock.advance();
    const done = await mailReader.post('/api/auth/login/second-factor').send({ code: totpCode(totp.secret, clock()) });
    expect(done.status).toBe(200);
    expect(await currentSession(mailReader)).toMatchObject({ assurance: 'aal2', authMethods: ['email_link', 'totp'] });
  });

  it('S41: a confirmation link for an account without a second factor signs in at aal1', async () => {
    const account = await createAccount(t, { emailVerified: false });
    const owner = await signIn(t, account);
    const token = await confirmationToken(t, account, owner.agent);
    const fresh = supertest.agent(t.app);
    const followed = VerifyEmailResponseSchema.parse((await fresh.post('/api/auth/email/verify').send({ token })).body);
    expect(followed).toMatchObject({ isSignedIn: true, secondFactorRequired: false });
    expect(await currentSession(fresh)).toMatchObject({ assurance: 'aal1', authMethods: ['email_link'] });
  });

  it('S42: re-authentication on an account with an authenticator app needs the code: {password} → 401 second_factor_required, {password, code} → 200', async () => {
    const account = await createAccount(t);
    const owner = await signIn(t, account);
    const totp = await enrolTotp(owner.agent, clock);
    const agent = await signInWithCode(t, account, totp, clock);

    const passwordOnly = await agent.post('/api/auth/reauth').send({ password: account.password });
    expect(passwordOnly.status).toBe(401);
    expect(errorOf(passwordOnly).code).toBe('second_factor_required');
    clock.advance();
    const wrongCode = await agent
      .post('/api/auth/reauth')
      .send({ password: account.password, code: '000000' === totpCode(totp.secret, clock()) ? '111111' : '000000' });
    expect(wrongCode.status).toBe(401);
    expect(errorOf(wrongCode).code).toBe('invalid_code');
    const both = await agent.post('/api/auth/reauth').send({ password: account.password, code: totpCode(totp.secret, clock()) });
    expect(both.status, JSON.stringify(both.body)).toBe(200);
    expect(MeResponseSchema.parse(both.body).session.assurance).toBe('aal2');
  });

  it('S42: a two-factor re-authentication raises an aal1 session to aal2 (step-up); enrolling alone does not', async () => {
    const account = await createAccount(t);
    const { agent } = await signIn(t, account);
    const totp = await enrolTotp(agent, clock);
    expect((await currentSession(agent))?.assurance).toBe('aal1');
    clock.advance();
    expect((await agent.post('/api/auth/reauth').send({ password: account.password, code: totpCode(totp.secret, clock()) })).status).toBe(200);
    expect((await currentSession(agent))?.assurance).toBe('aal2');
  });

  it('S42: REQUIRE_ADMIN_SECOND_FACTOR asks for an aal2 session: a password-only admin session is refused before and after enrolling in it; a new sign-in with password + code is let in', async () => {
    const admin = await signInAdmin(strictAdmin);
    expect(errorOf(await admin.agent.get('/api/admin/users')).code).toBe('second_factor_required');
    const totp = await enrolTotp(admin.agent, clock);
    const after = await admin.agent.get('/api/admin/users');
    expect(after.status).toBe(403);
    expect(errorOf(after).code).toBe('second_factor_required');

    const twoFactor = await signInWithCode(strictAdmin, admin.account, totp, clock);
    expect((await twoFactor.get('/api/admin/users')).status).toBe(200);
  });

  it('S43: a second factor or passkey is added only to a confirmed address (403 email_unverified before)', async () => {
    const account = await createAccount(t, { emailVerified: false });
    const { agent } = await signIn(t, account);
    for (const res of [await agent.post('/api/account/totp').send({}), await agent.post('/api/account/passkeys/options').send({})]) {
      expect(res.status).toBe(403);
      expect(errorOf(res).code).toBe('email_unverified');
    }
  });

  it('S43: pre-registration hijack: the first confirmation of the address ends the stranger’s session, and the stranger could add no passkey or app before it', async () => {
    // The stranger registers the victim's address and signs in; the owner later gets a link to it.
    const account = await createAccount(t, { emailVerified: false });
    const stranger = await signIn(t, account);
    expect((await stranger.agent.post('/api/account/passkeys/options').send({})).status).toBe(403);
    expect((await stranger.agent.post('/api/account/totp').send({})).status).toBe(403);
    const token = await confirmationToken(t, account, stranger.agent);

    const owner = supertest.agent(t.app);
    expect((await owner.post('/api/auth/email/verify').send({ token })).status).toBe(200);
    expect((await stranger.agent.get('/api/auth/me')).status).toBe(401);
    expect((await owner.get('/api/auth/me')).status).toBe(200);
  });

  it('S44: a confirmation link posted by a browser signed in to another account → 409 signed_in_as_other, that session untouched, the link still good for its owner', async () => {
    const other = await createAccount(t);
    const browser = await signIn(t, other);
    const account = await createAccount(t, { emailVerified: false });
    const token = await confirmationToken(t, account, (await signIn(t, account)).agent);

    const refused = await browser.agent.post('/api/auth/email/verify').send({ token });
    expect(refused.status).toBe(409);
    expect(errorOf(refused)).toMatchObject({ code: 'signed_in_as_other', signedInAs: other.email });
    expect(MeResponseSchema.parse((await browser.agent.get('/api/auth/me')).body).user.email).toBe(other.email);

    expect((await supertest.agent(t.app).post('/api/auth/email/verify').send({ token })).status).toBe(200);
  });

  it('S44: a confirmation link opened in the same account’s signed-in browser confirms and keeps that session', async () => {
    const account = await createAccount(t, { emailVerified: false });
    const { agent, sid } = await signIn(t, account);
    const token = await confirmationToken(t, account, agent);
    const followed = VerifyEmailResponseSchema.parse((await agent.post('/api/auth/email/verify').send({ token })).body);
    expect(followed).toMatchObject({ isSignedIn: true, user: { emailVerified: true } });
    const me = MeResponseSchema.parse((await agent.get('/api/auth/me')).body);
    expect(me.user.emailVerified).toBe(true);
    expect((await currentSession(agent))?.isCurrent).toBe(true);
    expect(sid).toBeTruthy();
  });

  it('S44: a recovery code is spent only by the request that completes the sign-in (two codes racing on one pending sign-in spend one)', async () => {
    const account = await createAccount(t);
    const totp = await enrolTotp((await signIn(t, account)).agent, clock);
    let codesLeft = totp.recoveryCodes.length;
    for (let round = 0; round < 4; round += 1) {
      const agent = supertest.agent(t.app);
      await passwordStep(agent, account);
      const [first, second] = [totp.recoveryCodes[round * 2] ?? '', totp.recoveryCodes[round * 2 + 1] ?? ''];
      const results = await Promise.all([first, second].map((code) => agent.post('/api/auth/login/second-factor').send({ code })));
      expect(results.filter((res) => res.status === 200)).toHaveLength(1);
      codesLeft -= 1;
      const status = await (await signInWithCode(t, account, totp, clock)).get('/api/account/second-factor');
      expect((status.body as { recoveryCodesLeft: number }).recoveryCodesLeft).toBe(codesLeft);
    }
  });

  it('S36: a factor change signs the other sessions out when asked (the default), and leaves them when not', async () => {
    const account = await createAccount(t);
    const main = await signIn(t, account);
    const other = await signIn(t, account);
    const begun = await main.agent.post('/api/account/totp').send({});
    const { secret } = begun.body as { secret: string };
    clock.advance();
    const confirmed = await main.agent.post('/api/account/totp/confirm').send({ code: totpCode(secret, clock()) });
    expect(confirmed.body).toMatchObject({ endedSessions: 1 });
    expect((await other.agent.get('/api/auth/me')).status).toBe(401);
    expect((await main.agent.get('/api/auth/me')).status).toBe(200);

    const kept = await signInWithCode(t, account, { secret, uri: '', recoveryCodes: [] }, clock);
    clock.advance();
    const reauth = await main.agent.post('/api/auth/reauth').send({ password: account.password, code: totpCode(secret, clock()) });
    expect(reauth.status).toBe(200);
    expect((await main.agent.delete('/api/account/totp').send({ signOutOtherSessions: false })).status).toBe(204);
    expect((await kept.get('/api/auth/me')).status).toBe(200);
  });
});

describe('S44: strangers’ wrong codes do not lock the owner’s known browser out', () => {
  const clock = testClock();
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      clock,
      throttle: {
        ...RELAXED_THROTTLE_LIMITS,
        secondFactorPerAccount: PRODUCTION_THROTTLE_LIMITS.secondFactorPerAccount,
        secondFactorPerPendingSignIn: PRODUCTION_THROTTLE_LIMITS.secondFactorPerPendingSignIn,
        secondFactorPerKnownDevice: PRODUCTION_THROTTLE_LIMITS.secondFactorPerKnownDevice,
      },
    });
  });
  afterAll(() => t.close());

  it('after 11 wrong codes on a stranger’s pending sign-ins, the owner signing in from a browser that signed in before gets 200 for a right code', async () => {
    const account = await createAccount(t);
    const owner = await signIn(t, account);
    const totp = await enrolTotp(owner.agent, clock);
    await owner.agent.post('/api/auth/logout').send();

    const statuses: number[] = [];
    let stranger = supertest.agent(t.app);
    await passwordStep(stranger, account);
    for (let guess = 0; guess < 11; guess += 1) {
      const res = await stranger.post('/api/auth/login/second-factor').send({ code: String(100000 + guess) });
      statuses.push(res.status);
      // Each pending sign-in has a small budget of its own: past it, the password again.
      if (res.status === 429 && errorOf(res).code === 'too_many_requests') {
        stranger = supertest.agent(t.app);
        await passwordStep(stranger, account);
      }
    }
    expect(statuses.filter((status) => status === 401).length).toBeGreaterThan(0);
    const lastStranger = await stranger.post('/api/auth/login/second-factor').send({ code: '123456' });
    expect(lastStranger.status, 'the account-wide budget is spent for unknown browsers').toBe(429);

    await passwordStep(owner.agent, account);
    clock.advance();
    const ownerCode = await owner.agent.post('/api/auth/login/second-factor').send({ code: totpCode(totp.secret, clock()) });
    expect(ownerCode.status, JSON.stringify(ownerCode.body)).toBe(200);
  });
});
