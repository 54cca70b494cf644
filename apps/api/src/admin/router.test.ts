import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdminRevokeUserSessionsResponseSchema,
  AdminSessionListResponseSchema,
  AdminUserListResponseSchema,
  AdminUserResponseSchema,
  StoreHealthResponseSchema,
} from '@gatehouse/types/admin';
import type { StoreHealthResponse } from '@gatehouse/types/admin';
import { ErrorBodySchema } from '@gatehouse/types/errors';
import { createTestApp } from '../test/test-app';
import type { TestApp } from '../test/test-app';
import { getUserModel } from '../users/user-model';
import { createAccount } from '../test/accounts';
import { makeAuthStale, sessionDoc, signIn, signInAdmin } from '../test/sign-in';
import type { SignedIn } from '../test/sign-in';

let t: TestApp;
let admin: SignedIn;
beforeAll(async () => {
  t = await createTestApp();
  admin = await signInAdmin(t);
});
afterAll(() => t.close());

const ANY_ID = '0123456789abcdef01234567';
const ANY_HANDLE = 'A'.repeat(32);
const ADMIN_ROUTES: Array<{ method: 'get' | 'post' | 'delete'; path: string }> = [
  { method: 'get', path: '/api/admin/sessions' },
  { method: 'delete', path: `/api/admin/sessions/${ANY_HANDLE}` },
  { method: 'delete', path: `/api/admin/users/${ANY_ID}/sessions` },
  { method: 'get', path: '/api/admin/users' },
  { method: 'post', path: `/api/admin/users/${ANY_ID}/disable` },
  { method: 'post', path: `/api/admin/users/${ANY_ID}/enable` },
  { method: 'get', path: '/api/admin/store' },
];

function errorCode(body: unknown): string {
  return ErrorBodySchema.parse(body).error.code;
}

describe('admin access', () => {
  it.each(ADMIN_ROUTES)('S27: $method $path answers 401 to anonymous requests', async ({ method, path }) => {
    const res = await supertest(t.app)[method](path);
    expect(res.status).toBe(401);
    expect(errorCode(res.body)).toBe('unauthenticated');
  });

  it.each(ADMIN_ROUTES)('S27: $method $path answers 403 to a signed-in user, whatever role the body claims', async ({ method, path }) => {
    const account = await createAccount(t);
    const user = await signIn(t, account);
    const res = await user.agent[method](path).send({ role: 'admin' });
    expect(res.status).toBe(403);
    expect(errorCode(res.body)).toBe('forbidden');
    expect((await getUserModel(t.connection).findById(account.id).lean())?.role).toBe('user');
  });

  it('S27: a role in the body of an admin action is ignored', async () => {
    const account = await createAccount(t);
    const res = await admin.agent.post(`/api/admin/users/${account.id}/enable`).send({ role: 'admin', disabledAt: null });
    expect(res.status).toBe(200);
    expect(AdminUserResponseSchema.parse(res.body).user.role).toBe('user');
    expect((await getUserModel(t.connection).findById(account.id).lean())?.role).toBe('user');
  });

  it('S13: every state change needs a recent password (403 reauth_required)', async () => {
    const staleAdmin = await signIn(t, await createAccount(t, { role: 'admin' }));
    await makeAuthStale(t, staleAdmin.sid);
    const victim = await createAccount(t);
    const victimSession = await signIn(t, victim);
    for (const { method, path } of ADMIN_ROUTES.filter((route) => route.method !== 'get')) {
      const res = await staleAdmin.agent[method](path.replace(ANY_ID, victim.id));
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(errorCode(res.body)).toBe('reauth_required');
    }
    expect((await staleAdmin.agent.get('/api/admin/users')).status).toBe(200);
    expect((await victimSession.agent.get('/api/auth/me')).status).toBe(200);
  });
});

describe('GET /api/admin/sessions', () => {
  it('lists every stored session with its owner, newest activity first, paginated', async () => {
    const account = await createAccount(t, { email: `paged-${Date.now()}@example.com` });
    for (let index = 0; index < 3; index += 1) await signIn(t, account);

    const res = await admin.agent.get('/api/admin/sessions').query({ page: 1, pageSize: 2 });
    expect(res.status).toBe(200);
    const first = AdminSessionListResponseSchema.parse(res.body);
    expect(first.sessions).toHaveLength(2);
    expect(first.total).toBeGreaterThanOrEqual(4);
    const lastActive = first.sessions.map((session) => Date.parse(session.lastActiveAt));
    expect(lastActive[0]).toBeGreaterThanOrEqual(lastActive[1] ?? 0);
    expect(first.sessions[0]?.user).toMatchObject({ id: account.id, email: account.email });

    const second = AdminSessionListResponseSchema.parse((await admin.agent.get('/api/admin/sessions').query({ page: 2, pageSize: 2 })).body);
    const firstHandles = new Set(first.sessions.map((session) => session.handle));
    expect(second.sessions.some((session) => firstHandles.has(session.handle))).toBe(false);
  });

  it("filters by a fragment of the owner's email, case-insensitively, with regex characters taken literally", async () => {
    const tag = `Filter${Date.now()}`;
    const target = await createAccount(t, { email: `${tag.toLowerCase()}.x@example.com` });
    await signIn(t, target);
    await signIn(t, target);
    await signIn(t, await createAccount(t));

    const body = AdminSessionListResponseSchema.parse((await admin.agent.get('/api/admin/sessions').query({ email: tag.toUpperCase() })).body);
    expect(body.total).toBe(2);
    expect(body.sessions.every((session) => session.user?.id === target.id)).toBe(true);
    const literal = AdminSessionListResponseSchema.parse((await admin.agent.get('/api/admin/sessions').query({ email: '.*' })).body);
    expect(literal.total).toBe(0);
  });

  it('rejects a page size above the maximum with 400', async () => {
    expect((await admin.agent.get('/api/admin/sessions').query({ pageSize: 1000 })).status).toBe(400);
  });
});

describe('DELETE /api/admin/sessions/:handle', () => {
  it("ends that session only: its cookie gets 401, the owner's other session keeps working", async () => {
    const account = await createAccount(t, { email: `row-${Date.now()}@example.com` });
    const signedIn = [await signIn(t, account), await signIn(t, account)];
    const listed = async () => AdminSessionListResponseSchema.parse((await admin.agent.get('/api/admin/sessions').query({ email: account.email })).body);
    const [row] = (await listed()).sessions;
    expect((await admin.agent.delete(`/api/admin/sessions/${row?.handle}`)).status).toBe(204);
    const statuses = await Promise.all(signedIn.map(async (session) => (await session.agent.get('/api/auth/me')).status));
    expect(statuses.sort()).toEqual([200, 401]);
    expect((await listed()).total).toBe(1);
  });

  it("revoking the admin's own row signs them out cleanly: cookie cleared, no replay recorded", async () => {
    const self = await signInAdmin(t);
    const listed = AdminSessionListResponseSchema.parse((await self.agent.get('/api/admin/sessions').query({ email: self.account.email })).body);
    const res = await self.agent.delete(`/api/admin/sessions/${listed.sessions[0]?.handle}`);
    expect(res.status).toBe(204);
    expect(String(res.headers['set-cookie'])).toMatch(/^gh\.sid=;/);
    expect(await sessionDoc(t, self.sid)).toBeNull();
    expect((await self.agent.get('/api/auth/me')).status).toBe(401);
    const replays = await t.connection.collection('activity').countDocuments({ userId: self.account.id, type: 'revoked_session_reused' });
    expect(replays).toBe(0);
  });

  it('answers 404 for an unknown handle', async () => {
    const res = await admin.agent.delete(`/api/admin/sessions/${ANY_HANDLE}`);
    expect(res.status).toBe(404);
    expect(errorCode(res.body)).toBe('not_found');
  });
});

describe('DELETE /api/admin/users/:id/sessions', () => {
  it('ends every session of that user and reports how many', async () => {
    const account = await createAccount(t);
    const sessions = [await signIn(t, account), await signIn(t, account)];
    const res = await admin.agent.delete(`/api/admin/users/${account.id}/sessions`);
    expect(res.status).toBe(200);
    expect(AdminRevokeUserSessionsResponseSchema.parse(res.body).revoked).toBe(2);
    for (const session of sessions) expect((await session.agent.get('/api/auth/me')).status).toBe(401);
    expect((await admin.agent.get('/api/auth/me')).status).toBe(200);
  });

  it("spares the admin's own current session when the user is the admin", async () => {
    const self = await signInAdmin(t);
    const other = await signIn(t, self.account);
    const res = await self.agent.delete(`/api/admin/users/${self.account.id}/sessions`);
    expect(AdminRevokeUserSessionsResponseSchema.parse(res.body).revoked).toBe(1);
    expect((await other.agent.get('/api/auth/me')).status).toBe(401);
    expect((await self.agent.get('/api/auth/me')).status).toBe(200);
  });

  it('answers 404 for an unknown user and 400 for an id that is not one', async () => {
    expect((await admin.agent.delete(`/api/admin/users/${ANY_ID}/sessions`)).status).toBe(404);
    expect((await admin.agent.delete('/api/admin/users/not-an-id/sessions')).status).toBe(400);
  });
});

describe('GET /api/admin/users', () => {
  it('lists accounts with their live session counts and disabled state', async () => {
    const busy = await createAccount(t);
    await signIn(t, busy);
    await signIn(t, busy);
    const idle = await createAccount(t);
    const res = await admin.agent.get('/api/admin/users');
    expect(res.status).toBe(200);
    const { users } = AdminUserListResponseSchema.parse(res.body);
    expect(users.find((user) => user.id === busy.id)).toMatchObject({ sessionCount: 2, isDisabled: false, role: 'user' });
    expect(users.find((user) => user.id === idle.id)).toMatchObject({ sessionCount: 0 });
  });
});

describe('POST /api/admin/users/:id/disable and /enable', () => {
  it('S12: disabling ends every session of the account (cookies 401) and refuses sign-in with account_disabled', async () => {
    const account = await createAccount(t);
    const sessions = [await signIn(t, account), await signIn(t, account)];
    const res = await admin.agent.post(`/api/admin/users/${account.id}/disable`);
    expect(res.status).toBe(200);
    expect(AdminUserResponseSchema.parse(res.body).user).toMatchObject({ id: account.id, isDisabled: true, sessionCount: 0 });
    for (const session of sessions) {
      expect((await session.agent.get('/api/auth/me')).status).toBe(401);
      expect(await sessionDoc(t, session.sid)).toBeNull();
    }

    const refused = await supertest(t.app).post('/api/auth/login').send({ email: account.email, password: account.password });
    expect(refused.status).toBe(403);
    expect(ErrorBodySchema.parse(refused.body).error).toMatchObject({ code: 'account_disabled', message: expect.stringMatching(/disabled/) });

    const enabled = await admin.agent.post(`/api/admin/users/${account.id}/enable`);
    expect(AdminUserResponseSchema.parse(enabled.body).user.isDisabled).toBe(false);
    const again = await signIn(t, account);
    const { events } = (await again.agent.get('/api/activity')).body as { events: Array<{ type: string; actor: string }> };
    const accountEvents = events.filter((event) => event.type !== 'revoked_session_reused' && event.type !== 'new_device_sign_in');
    expect(accountEvents.slice(0, 3).map((event) => [event.type, event.actor])).toEqual([
      ['sign_in', 'self'],
      ['account_enabled', 'admin'],
      ['account_disabled', 'admin'],
    ]);
  });

  it('refuses to let an admin disable their own account', async () => {
    const self = await signInAdmin(t);
    const res = await self.agent.post(`/api/admin/users/${self.account.id}/disable`);
    expect(res.status).toBe(403);
    expect((await self.agent.get('/api/auth/me')).status).toBe(200);
  });

  it('answers 404 for an unknown user', async () => {
    expect((await admin.agent.post(`/api/admin/users/${ANY_ID}/disable`)).status).toBe(404);
    expect((await admin.agent.post(`/api/admin/users/${ANY_ID}/enable`)).status).toBe(404);
  });
});

describe('GET /api/admin/store', () => {
  it('reports counts, indexes, top users and recent revoked-cookie replays', async () => {
    const app = await createTestApp();
    try {
      const appAdmin = await signInAdmin(app);
      const account = await createAccount(app);
      const stolen = await signIn(app, account);
      const owner = await signIn(app, account);
      await signIn(app, account);
      expect((await owner.agent.post('/api/sessions/revoke-others')).status).toBe(200);
      expect((await supertest(app.app).get('/api/auth/me').set('Cookie', stolen.cookie)).status).toBe(401);

      // The engine's TTL monitor may reap the lapsed document between our write and the read: retry then.
      const sessions = app.connection.collection<{ _id: string }>('sessions');
      let health: StoreHealthResponse | undefined;
      for (let attempt = 0; attempt < 3 && health?.expiredNotReaped !== 1; attempt += 1) {
        const lapsed = await signIn(app, await createAccount(app));
        await sessions.updateOne({ _id: lapsed.sid }, { $set: { expires: new Date(Date.now() - 60_000) } });
        const res = await appAdmin.agent.get('/api/admin/store');
        expect(res.status).toBe(200);
        health = StoreHealthResponseSchema.parse(res.body);
      }
      if (!health) throw new Error('no store health read');
      expect(health).toMatchObject({
        storedSessions: 3,
        anonymousSessions: 0,
        expiredNotReaped: 1,
        ttlIndex: { present: true, expireAfterSeconds: 0 },
        userIndex: { present: true },
      });
      expect(health.topUsers).toHaveLength(2);
      expect(health.topUsers.map((row) => row.sessions)).toEqual([1, 1]);
      expect(health.recentReplays[0]).toMatchObject({ type: 'revoked_session_reused', isSuspicious: true, userEmail: account.email });
    } finally {
      await app.close();
    }
  });
});

describe('S26: no secrets in session and admin responses', () => {
  it('responses carry no raw session id and no password hash', async () => {
    const account = await createAccount(t);
    const user = await signIn(t, account);
    const responses = [
      await user.agent.get('/api/sessions'),
      await user.agent.get('/api/sessions/current'),
      await user.agent.post('/api/sessions/current/extend'),
      await user.agent.get('/api/activity'),
      await admin.agent.get('/api/admin/sessions').query({ pageSize: 100 }),
      await admin.agent.get('/api/admin/users'),
      await admin.agent.get('/api/admin/store'),
    ];
    const sids = (
      await t.connection
        .collection<{ _id: string }>('sessions')
        .find({}, { projection: { _id: 1 } })
        .toArray()
    ).map((doc) => doc._id);
    expect(sids.length).toBeGreaterThan(2);
    for (const [index, res] of responses.entries()) {
      expect(res.status, `response #${index}`).toBe(200);
      const text = res.text;
      expect(text).not.toMatch(/\$argon2|passwordHash/);
      for (const sid of sids) expect(text).not.toContain(sid);
    }
  });
});
