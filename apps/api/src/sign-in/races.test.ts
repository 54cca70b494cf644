import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../test/accounts';
import { lastMailTo, tokenIn } from '../test/mail';
import { enrolTotp, passwordStep, testClock, totpCode } from '../test/second-factor';
import { sessionDocs, signIn, signInAdmin } from '../test/sign-in';
import { createTestApp } from '../test/test-app';
import type { TestApp } from '../test/test-app';

const ROUNDS = 200;
const VERIFY_SUBJECT = 'confirm your email address';

/**
 * S31's races, repeated for the paths sign-in gained: the second step, the e-mailed link, and a one-factor
 * sign-in racing the enrolment of a second factor. Each round fires both operations at once; over the
 * rounds the interleavings vary. A survivor is a session that exists after the race although the rule
 * says it cannot (S31, S41).
 */
describe('sign-in races (S31, S41)', () => {
  const clock = testClock();
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ clock, reauthWindowSeconds: 3600 });
  });
  afterAll(() => t.close());

  it(`the second step racing "sign out everywhere else": 0 survivors out of ${ROUNDS}`, async () => {
    const account = await createAccount(t);
    const owner = await signIn(t, account);
    const totp = await enrolTotp(owner.agent, clock);
    let survivors = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      const browser = supertest.agent(t.app);
      await passwordStep(browser, account);
      clock.advance();
      const [completed, revoked] = await Promise.all([
        browser.post('/api/auth/login/second-factor').send({ code: totpCode(totp.secret, clock()) }),
        owner.agent.post('/api/sessions/revoke-others').send(),
      ]);
      expect([200, 409, 401]).toContain(completed.status);
      expect(revoked.status).toBe(200);
      if ((await browser.get('/api/auth/me')).status === 200) survivors += 1;
    }
    expect(survivors).toBe(0);
  }, 120_000);

  it(`the confirmation link racing an administrator disabling the account: 0 survivors out of ${ROUNDS}`, async () => {
    const admin = await signInAdmin(t);
    let survivors = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      const account = await createAccount(t, { emailVerified: false });
      expect((await (await signIn(t, account)).agent.post('/api/auth/email/verification').send()).status).toBe(202);
      const token = tokenIn(await lastMailTo(t, account.email, VERIFY_SUBJECT));
      const browser = supertest.agent(t.app);
      await Promise.all([browser.post('/api/auth/email/verify').send({ token }), admin.agent.post(`/api/admin/users/${account.id}/disable`).send()]);
      if ((await browser.get('/api/auth/me')).status === 200) survivors += 1;
    }
    expect(survivors).toBe(0);
  }, 240_000);

  it(`a password-only sign-in racing the enrolment of an authenticator app: 0 one-factor sessions begun after the app was on, out of ${ROUNDS}`, async () => {
    let skipped = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      const account = await createAccount(t);
      const owner = await signIn(t, account);
      const begun = await owner.agent.post('/api/account/totp').send({});
      const { secret } = begun.body as { secret: string };
      clock.advance();
      const browser = supertest.agent(t.app);
      const [confirmed] = await Promise.all([
        owner.agent.post('/api/account/totp/confirm').send({ code: totpCode(secret, clock()), signOutOtherSessions: false }),
        browser.post('/api/auth/login').send({ email: account.email, password: account.password }),
      ]);
      expect(confirmed.status).toBe(200);
      const enabledAt = (await t.connection.collection<{ _id: string; enabledAt: Date }>('totp_factors').findOne({ _id: account.id }))?.enabledAt;
      const sessions = await sessionDocs(t, { 'session.userId': account.id });
      skipped += sessions.filter((doc) => doc.session.assurance === 'aal1' && enabledAt && (doc.session.createdAt as number) >= enabledAt.getTime()).length;
    }
    expect(skipped).toBe(0);
  }, 240_000);
});
