import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../test/accounts';
import type { Account } from '../test/accounts';
import { cookieHeader, issuedSessionCookie, unsignSid } from '../test/cookies';
import { enrolTotp, passwordStep, testClock, totpCode } from '../test/second-factor';
import type { EnrolledTotp } from '../test/second-factor';
import { sessionDocs, signIn, signInAdmin, sleep } from '../test/sign-in';
import type { SignedIn } from '../test/sign-in';
import { createTestApp } from '../test/test-app';
import type { TestApp } from '../test/test-app';
import { TEST_SECRET } from '../test/test-config';

const ROUNDS = 200;
const jitter = () => sleep(Math.floor(Math.random() * 12));

/**
 * S31 for the second step: the pending sign-in carries the account version read when the password was
 * checked, and completing it goes through registry.start, which re-reads the account after inserting.
 * Each round races a second step against a change that takes rights away, with random offsets on both
 * sides so the change lands before, during and after the step; whatever the interleaving, no session
 * of the account may survive but the one that made the change.
 */
describe('S31: second-step races', () => {
  const clock = testClock();
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ clock });
  });
  afterAll(() => t.close());

  async function enrolledAccount(): Promise<{ account: Account; owner: SignedIn; totp: EnrolledTotp }> {
    const account = await createAccount(t);
    const owner = await signIn(t, account);
    const totp = await enrolTotp(owner.agent, clock);
    return { account, owner, totp };
  }

  /** The second step of a fresh password sign-in, started now; resolves with its status and cookie. */
  async function racingSecondStep(account: Pick<Account, 'email' | 'password'>, secret: string) {
    const racer = t.agent();
    await passwordStep(racer, account);
    const code = totpCode(secret, clock());
    return async () => {
      await jitter();
      const res = await racer.post('/api/auth/login/second-factor').send({ code });
      return { status: res.status, cookie: res.status === 200 ? cookieHeader(issuedSessionCookie(res)) : null };
    };
  }

  /** Proves the password again (the sudo window stays open over a long run); returns the new session id. */
  /** Sudo mode again; an account with an authenticator app proves it with a code too (S42). */
  async function reauthenticate(agent: supertest.Agent, password: string, totpSecret?: string): Promise<string> {
    clock.advance();
    const res = await agent.post('/api/auth/reauth').send(totpSecret ? { password, code: totpCode(totpSecret, clock()) } : { password });
    expect(res.status).toBe(200);
    return unsignSid(issuedSessionCookie(res), TEST_SECRET);
  }

  async function expectDead(cookie: string | null): Promise<void> {
    if (cookie) expect((await supertest(t.app).get('/api/auth/me').set('Cookie', cookie)).status).toBe(401);
  }

  it('S31: a password change between the two steps voids the pending sign-in (forced interleaving)', async () => {
    const { account, owner, totp } = await enrolledAccount();
    const racer = t.agent();
    await passwordStep(racer, account);
    const changed = await owner.agent.post('/api/auth/password').send({ currentPassword: account.password, newPassword: 'a whole new passphrase' });
    expect(changed.status).toBe(200);
    const res = await racer.post('/api/auth/login/second-factor').send({ code: totpCode(totp.secret, clock()) });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: { code: 'account_changed' } });
    expect(await sessionDocs(t, { 'session.userId': account.id })).toHaveLength(1);
    clock.advance();
  });

  it('S31: disabling between the two steps voids the pending sign-in (forced interleaving)', async () => {
    const { account, totp } = await enrolledAccount();
    const admin = await signInAdmin(t);
    const racer = t.agent();
    await passwordStep(racer, account);
    expect((await admin.agent.post(`/api/admin/users/${account.id}/disable`)).status).toBe(200);
    const res = await racer.post('/api/auth/login/second-factor').send({ code: totp.recoveryCodes[0] });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: { code: 'account_disabled' } });
    expect(await sessionDocs(t, { 'session.userId': account.id })).toHaveLength(0);
    clock.advance();
  });

  it(`S31: second step vs password change, ${ROUNDS} rounds: no session survives but the changer's`, { timeout: 240_000 }, async () => {
    const { account, owner, totp } = await enrolledAccount();
    let password = account.password;
    let ownerSid = owner.sid;
    const outcomes: Record<number, number> = {};
    for (let round = 0; round < ROUNDS; round += 1) {
      const second = await racingSecondStep({ email: account.email, password }, totp.secret);
      const newPassword = `another long passphrase ${round}`;
      const [step, change] = await Promise.all([
        second(),
        (async () => {
          await jitter();
          return owner.agent.post('/api/auth/password').send({ currentPassword: password, newPassword });
        })(),
      ]);
      expect(change.status, JSON.stringify(change.body)).toBe(200);
      password = newPassword;
      ownerSid = unsignSid(issuedSessionCookie(change), TEST_SECRET);
      outcomes[step.status] = (outcomes[step.status] ?? 0) + 1;
      const survivors = (await sessionDocs(t, { 'session.userId': account.id })).filter((doc) => doc._id !== ownerSid);
      expect(survivors, `round ${round}: step answered ${step.status}`).toHaveLength(0);
      await expectDead(step.cookie);
      clock.advance();
    }
    console.info('S31 second step vs password change, outcomes by status:', outcomes);
  });

  it(`S31: second step vs disable, ${ROUNDS} rounds: no session of the account survives`, { timeout: 300_000 }, async () => {
    const admin = await signInAdmin(t);
    const outcomes: Record<number, number> = {};
    for (let round = 0; round < ROUNDS; round += 1) {
      const { account, totp } = await enrolledAccount();
      const second = await racingSecondStep(account, totp.secret);
      const [step, disable] = await Promise.all([
        second(),
        (async () => {
          await jitter();
          return admin.agent.post(`/api/admin/users/${account.id}/disable`);
        })(),
      ]);
      expect(disable.status, JSON.stringify(disable.body)).toBe(200);
      outcomes[step.status] = (outcomes[step.status] ?? 0) + 1;
      expect(await sessionDocs(t, { 'session.userId': account.id }), `round ${round}: step answered ${step.status}`).toHaveLength(0);
      await expectDead(step.cookie);
      clock.advance();
      // The admin's proof of identity must stay inside the sudo window over a long run.
      if (round % 50 === 49) await reauthenticate(admin.agent, admin.account.password);
    }
    console.info('S31 second step vs disable, outcomes by status:', outcomes);
  });

  it(`S31: second step vs "sign out everywhere else", ${ROUNDS} rounds: only the session that asked survives`, { timeout: 240_000 }, async () => {
    const { account, owner, totp } = await enrolledAccount();
    let ownerSid = owner.sid;
    const outcomes: Record<number, number> = {};
    for (let round = 0; round < ROUNDS; round += 1) {
      const second = await racingSecondStep(account, totp.secret);
      const [step, endAll] = await Promise.all([
        second(),
        (async () => {
          await jitter();
          return owner.agent.post('/api/sessions/revoke-others');
        })(),
      ]);
      expect(endAll.status, JSON.stringify(endAll.body)).toBe(200);
      outcomes[step.status] = (outcomes[step.status] ?? 0) + 1;
      const survivors = (await sessionDocs(t, { 'session.userId': account.id })).filter((doc) => doc._id !== ownerSid);
      expect(survivors, `round ${round}: step answered ${step.status}`).toHaveLength(0);
      await expectDead(step.cookie);
      clock.advance();
      if (round % 50 === 49) ownerSid = await reauthenticate(owner.agent, account.password, totp.secret);
    }
    console.info('S31 second step vs end all other sessions, outcomes by status:', outcomes);
  });
});
