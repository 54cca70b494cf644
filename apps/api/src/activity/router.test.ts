import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivityListResponseSchema } from '@gatehouse/types/activity';
import type { ActivityEvent } from '@gatehouse/types/activity';
import { SessionListResponseSchema } from '@gatehouse/types/sessions';
import { createTestApp } from '../test/test-app';
import type { TestApp } from '../test/test-app';
import { ACTIVITY_LIST_LIMIT } from './activity-log';
import { IPHONE_SAFARI, createAccount } from '../test/accounts';
import { signIn, signInAdmin } from '../test/sign-in';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

async function activityOf(agent: supertest.Agent): Promise<ActivityEvent[]> {
  const res = await agent.get('/api/activity');
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return ActivityListResponseSchema.parse(res.body).events;
}

describe('GET /api/activity', () => {
  it('refuses anonymous requests with 401', async () => {
    expect((await supertest(t.app).get('/api/activity')).status).toBe(401);
  });

  it('records sign-in with its device, failed sign-in and sign-out, newest first', async () => {
    const account = await createAccount(t);
    const phone = await signIn(t, account, { userAgent: IPHONE_SAFARI });
    expect((await phone.agent.post('/api/auth/logout')).status).toBe(204);
    expect((await supertest(t.app).post('/api/auth/login').send({ email: account.email, password: 'not the password' })).status).toBe(401);
    const desktop = await signIn(t, account);

    const events = await activityOf(desktop.agent);
    // The desktop is a second browser for the account: its sign-in is also a new-device event (the owner gets a mail).
    expect(events.map((event) => event.type)).toEqual(['sign_in', 'new_device_sign_in', 'sign_in_failed', 'sign_out', 'sign_in']);
    expect(events[4]).toMatchObject({ actor: 'self', isSuspicious: false, ip: expect.any(String) });
    expect(events[4]?.device?.os).toMatch(/iOS/);
  });

  it('shows who revoked a session: the account itself or an admin', async () => {
    const account = await createAccount(t);
    await signIn(t, account);
    const second = await signIn(t, account);
    const { sessions } = SessionListResponseSchema.parse((await second.agent.get('/api/sessions')).body);
    const other = sessions.find((session) => !session.isCurrent);
    expect((await second.agent.delete(`/api/sessions/${other?.handle}`)).status).toBe(204);
    const admin = await signInAdmin(t);
    expect((await admin.agent.delete(`/api/admin/users/${account.id}/sessions`)).status).toBe(200);

    const third = await signIn(t, account);
    const revocations = (await activityOf(third.agent)).filter((event) => event.type === 'session_revoked');
    expect(revocations.map((event) => event.actor)).toEqual(['admin', 'self']);
  });

  it('records a password change', async () => {
    const account = await createAccount(t);
    const user = await signIn(t, account);
    expect((await user.agent.post('/api/auth/password').send({ currentPassword: account.password, newPassword: 'yet another long passphrase' })).status).toBe(
      200,
    );
    expect((await activityOf(user.agent))[0]?.type).toBe('password_changed');
  });

  it('flags a revoked session used again as suspicious (a theft signal)', async () => {
    const account = await createAccount(t);
    const stolen = await signIn(t, account);
    const owner = await signIn(t, account);
    const { sessions } = SessionListResponseSchema.parse((await owner.agent.get('/api/sessions')).body);
    const other = sessions.find((session) => !session.isCurrent);
    expect((await owner.agent.delete(`/api/sessions/${other?.handle}`)).status).toBe(204);

    const replay = await supertest(t.app).get('/api/auth/me').set('Cookie', stolen.cookie).set('User-Agent', 'curl/8.0');
    expect(replay.status).toBe(401);
    const [latest] = await activityOf(owner.agent);
    expect(latest).toMatchObject({ type: 'revoked_session_reused', isSuspicious: true });
  });

  it(`returns at most the latest ${ACTIVITY_LIST_LIMIT} events, only the account's own`, async () => {
    const account = await createAccount(t);
    const stranger = await createAccount(t);
    await t.services.activity.record({ userId: stranger.id, type: 'sign_in' });
    for (let index = 0; index < ACTIVITY_LIST_LIMIT + 5; index += 1) await t.services.activity.record({ userId: account.id, type: 'sign_in_failed' });
    const user = await signIn(t, account);
    const events = await activityOf(user.agent);
    expect(events).toHaveLength(ACTIVITY_LIST_LIMIT);
    expect(events[0]?.type).toBe('sign_in');
  });
});
