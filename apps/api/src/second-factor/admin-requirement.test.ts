import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminUserListResponseSchema } from '@gatehouse/types/admin';
import { SecondFactorStatusResponseSchema } from '@gatehouse/types/second-factor';
import { createAccount } from '../test/accounts';
import { enrolTotp, passwordStep, testClock, totpCode } from '../test/second-factor';
import { signIn, signInAdmin } from '../test/sign-in';
import { createTestApp } from '../test/test-app';
import type { TestApp } from '../test/test-app';

describe('REQUIRE_ADMIN_SECOND_FACTOR', () => {
  const clock = testClock();
  let strict: TestApp;
  let lenient: TestApp;
  beforeAll(async () => {
    [strict, lenient] = await Promise.all([createTestApp({ clock, requireAdminSecondFactor: true }), createTestApp({ clock })]);
  });
  afterAll(() => Promise.all([strict.close(), lenient.close()]));

  it('off by default: an administrator without a second factor uses the admin API as before', async () => {
    const admin = await signInAdmin(lenient);
    expect((await admin.agent.get('/api/admin/users')).status).toBe(200);
  });

  it('on: an administrator is refused with second_factor_required until a session is signed in with two factors (S42)', async () => {
    const admin = await signInAdmin(strict);
    for (const res of [await admin.agent.get('/api/admin/users'), await admin.agent.get('/api/admin/sessions'), await admin.agent.get('/api/admin/store')]) {
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ error: { code: 'second_factor_required' } });
    }
    const status = SecondFactorStatusResponseSchema.parse((await admin.agent.get('/api/account/second-factor')).body);
    expect(status.isRequiredForAdmin).toBe(true);

    const totp = await enrolTotp(admin.agent, clock);
    // Enrolling inside a password-only session raises nothing: still refused.
    expect((await admin.agent.get('/api/admin/users')).status).toBe(403);
    const twoFactor = strict.agent();
    await passwordStep(twoFactor, admin.account);
    clock.advance();
    expect((await twoFactor.post('/api/auth/login/second-factor').send({ code: totpCode(totp.secret, clock()) })).status).toBe(200);
    const users = await twoFactor.get('/api/admin/users');
    expect(users.status).toBe(200);
    const listed = AdminUserListResponseSchema.parse(users.body).users.find((user) => user.id === admin.account.id);
    expect(listed?.hasSecondFactor).toBe(true);
  });

  it('on: ordinary accounts are not affected (they get 403 forbidden from the admin API as always)', async () => {
    const user = await signIn(strict, await createAccount(strict));
    const res = await user.agent.get('/api/admin/users');
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: { code: 'forbidden' } });
    expect(SecondFactorStatusResponseSchema.parse((await user.agent.get('/api/account/second-factor')).body).isRequiredForAdmin).toBe(false);
  });
});
