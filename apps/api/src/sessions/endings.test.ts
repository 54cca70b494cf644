import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivityListResponseSchema } from '@gatehouse/types/activity';
import type { ActivityEvent } from '@gatehouse/types/activity';
import { SessionListResponseSchema } from '@gatehouse/types/sessions';
import { createAccount, IPHONE_SAFARI, STRONG_PASSWORD } from '../test/accounts';
import type { Account } from '../test/accounts';
import { signIn, signInAdmin } from '../test/sign-in';
import type { SignedIn } from '../test/sign-in';
import { createTestApp } from '../test/test-app';
import type { TestApp } from '../test/test-app';
import { sessionHandle } from './handle';
import { FOLLOW_UP_GRACE_MS, SESSION_MARKERS_COLLECTION, SESSIONS_COLLECTION } from './registry';
import type { SessionDocument } from './store';

/**
 * Every way a session ends goes through the registry, so every ending leaves the same trace: one
 * activity record for the ended session (its device, why, who), a marker, and the same judgement of a
 * replayed cookie. Table-driven: one row per way.
 */

let t: TestApp;
let admin: SignedIn;
beforeAll(async () => {
  t = await createTestApp();
  admin = await signInAdmin(t);
});
afterAll(() => t.close());

interface Ending {
  way: string;
  reason: 'signed_out' | 'revoked' | 'password_changed' | 'account_disabled' | 'expired';
  actor: 'self' | 'admin' | 'system';
  activityType: ActivityEvent['type'];
  end(target: { account: Account; victim: SignedIn; other: SignedIn }): Promise<void>;
}

const handleOf = (signedIn: SignedIn) => sessionHandle(signedIn.sid);
const sessions = () => t.connection.collection<SessionDocument>(SESSIONS_COLLECTION);
const ok = (status: number, expected = [200, 204]) => expect(expected).toContain(status);

const ENDINGS: Ending[] = [
  {
    way: 'sign-out',
    reason: 'signed_out',
    actor: 'self',
    activityType: 'sign_out',
    end: async ({ victim }) => ok((await victim.agent.post('/api/auth/logout')).status),
  },
  {
    way: 'deleting its own row',
    reason: 'signed_out',
    actor: 'self',
    activityType: 'sign_out',
    end: async ({ victim }) => ok((await victim.agent.delete(`/api/sessions/${handleOf(victim)}`)).status),
  },
  {
    way: 'revoked from another device',
    reason: 'revoked',
    actor: 'self',
    activityType: 'session_revoked',
    end: async ({ victim, other }) => ok((await other.agent.delete(`/api/sessions/${handleOf(victim)}`)).status),
  },
  {
    way: '"sign out everywhere else"',
    reason: 'revoked',
    actor: 'self',
    activityType: 'session_revoked',
    end: async ({ other }) => ok((await other.agent.post('/api/sessions/revoke-others')).status),
  },
  {
    way: 'an admin revoking it',
    reason: 'revoked',
    actor: 'admin',
    activityType: 'session_revoked',
    end: async ({ victim }) => ok((await admin.agent.delete(`/api/admin/sessions/${handleOf(victim)}`)).status),
  },
  {
    way: "an admin ending all the account's sessions",
    reason: 'revoked',
    actor: 'admin',
    activityType: 'session_revoked',
    end: async ({ account }) => ok((await admin.agent.delete(`/api/admin/users/${account.id}/sessions`)).status),
  },
  {
    way: 'an admin disabling the account',
    reason: 'account_disabled',
    actor: 'admin',
    activityType: 'session_revoked',
    end: async ({ account }) => ok((await admin.agent.post(`/api/admin/users/${account.id}/disable`)).status),
  },
  {
    way: 'a password change elsewhere',
    reason: 'password_changed',
    actor: 'self',
    activityType: 'session_revoked',
    end: async ({ other }) =>
      ok((await other.agent.post('/api/auth/password').send({ currentPassword: STRONG_PASSWORD, newPassword: 'another correct horse battery' })).status),
  },
  {
    way: 'its absolute deadline passing',
    reason: 'expired',
    actor: 'system',
    activityType: 'session_expired',
    async end({ victim }) {
      await sessions().updateOne({ _id: victim.sid }, { $set: { 'session.absoluteExpiresAt': Date.now() - 1000 } });
      expect((await victim.agent.get('/api/auth/me')).status).toBe(401);
    },
  },
  {
    way: 'its idle deadline passing',
    reason: 'expired',
    actor: 'system',
    activityType: 'session_expired',
    async end({ victim }) {
      await sessions().updateOne({ _id: victim.sid }, { $set: { expires: new Date(Date.now() - 1000) } });
      expect((await victim.agent.get('/api/auth/me')).status).toBe(401);
    },
  },
];

async function activityOf(account: Account): Promise<ActivityEvent[]> {
  // The account may be disabled or its password changed: read the log directly, as the owner would see it.
  return t.services.activity.listForUser(account.id);
}

const replayStatus = async (victim: SignedIn) => (await supertest(t.app).get('/api/auth/me').set('Cookie', victim.cookie)).status;

describe('every way of ending a session leaves the same trace', () => {
  it.each(ENDINGS)('$way: one activity record for the ended session, a marker, and a replay judged the same way', async (ending) => {
    const account = await createAccount(t);
    const victim = await signIn(t, account, { userAgent: IPHONE_SAFARI });
    const other = await signIn(t, account);
    await ending.end({ account, victim, other });

    expect(await sessions().findOne({ _id: victim.sid })).toBeNull();
    expect(await t.services.registry.check(account.id, victim.sid, undefined)).toEqual({ kind: 'ended', reason: ending.reason });

    const records = (await activityOf(account)).filter((event) => event.reason !== undefined && event.device?.os?.startsWith('iOS'));
    expect(records).toEqual([
      expect.objectContaining({ type: ending.activityType, reason: ending.reason, actor: ending.actor, ip: expect.any(String) as unknown }),
    ]);

    // The same judgement whoever ended it: once the holder was told and the grace has passed, one
    // follow-up is expected and the next use is a theft signal.
    await t.services.registry.acknowledgeEnded(victim.sid);
    await t.connection
      .collection(SESSION_MARKERS_COLLECTION)
      .updateOne({ _id: sessionHandle(victim.sid) as never }, { $set: { notifiedAt: new Date(Date.now() - FOLLOW_UP_GRACE_MS - 1000), followUpUsed: false } });
    expect(await replayStatus(victim)).toBe(401);
    expect(await replayStatus(victim)).toBe(401);
    const replays = (await activityOf(account)).filter((event) => event.type === 'revoked_session_reused');
    expect(replays).toEqual([expect.objectContaining({ isSuspicious: true, reason: ending.reason })]);
  });

  it("a role change rotates every session's id; the old id leaves a marker and its cookie is judged the same way, with no ending announced", async () => {
    const account = await createAccount(t, { role: 'admin' });
    const victim = await signIn(t, account, { userAgent: IPHONE_SAFARI });
    const before = victim.cookie;
    ok((await admin.agent.post(`/api/admin/users/${account.id}/role`).send({ role: 'user' })).status);
    expect((await victim.agent.get('/api/admin/users')).status).toBe(403);
    expect(await t.services.registry.check(account.id, victim.sid, undefined)).toEqual({ kind: 'rotated' });
    const { sessions: listed } = SessionListResponseSchema.parse((await victim.agent.get('/api/sessions')).body);
    expect(listed).toHaveLength(1);

    await t.connection
      .collection(SESSION_MARKERS_COLLECTION)
      .updateOne({ _id: sessionHandle(victim.sid) as never }, { $set: { notifiedAt: new Date(Date.now() - FOLLOW_UP_GRACE_MS - 1000), followUpUsed: false } });
    expect((await supertest(t.app).get('/api/auth/me').set('Cookie', before)).status).toBe(401);
    expect((await supertest(t.app).get('/api/auth/me').set('Cookie', before)).status).toBe(401);
    const { events } = ActivityListResponseSchema.parse((await victim.agent.get('/api/activity')).body);
    expect(events.filter((event) => event.type === 'revoked_session_reused')).toHaveLength(1);
    expect(events.filter((event) => ['sign_out', 'session_revoked', 'session_expired'].includes(event.type))).toEqual([]);
    expect(events.map((event) => event.type)).toContain('role_changed');
  });
});
