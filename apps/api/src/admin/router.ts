import { Router } from 'express';
import type { Request } from 'express';
import type { Connection } from 'mongoose';
import { AdminSessionsQuerySchema, AdminUserParamsSchema } from '@gatehouse/types/admin';
import type {
  AdminRevokeUserSessionsResponse,
  AdminSessionListResponse,
  AdminUserListResponse,
  AdminUserResponse,
  AdminUserView,
} from '@gatehouse/types/admin';
import { SessionHandleParamsSchema } from '@gatehouse/types/sessions';
import type { ActivityLog } from '../activity/activity-log';
import type { Config } from '../config';
import { HttpError, notFound } from '../http/errors';
import { notExpired, toAdminSessionView } from '../sessions/directory';
import type { SessionDirectory, StoredSession } from '../sessions/directory';
import { clearSessionCookie, createRequireFreshAuth, destroySession, requireAdmin } from '../sessions/session-middleware';
import { SESSIONS_COLLECTION } from '../sessions/store';
import type { SessionDocument } from '../sessions/store';
import { getUserModel } from '../users/user-model';
import type { UserRecord } from '../users/user-model';
import { readStoreHealth } from './store-health';
import { userIdsByEmailFragment, usersById } from './users-lookup';

export interface AdminRouterDeps {
  config: Pick<Config, 'reauthWindowSeconds' | 'cookieName' | 'isProduction'>;
  connection: Connection;
  directory: SessionDirectory;
  activity: Pick<ActivityLog, 'record' | 'listRecentOfType'>;
}

type UserLean = Pick<UserRecord, 'name' | 'email' | 'role' | 'disabledAt' | 'createdAt'> & { _id: { toString(): string } };

function toAdminUserView(user: UserLean, sessionCount: number): AdminUserView {
  return {
    id: user._id.toString(),
    name: user.name,
    email: user.email,
    role: user.role,
    isDisabled: user.disabledAt !== null && user.disabledAt !== undefined,
    sessionCount,
    createdAt: user.createdAt.toISOString(),
  };
}

function adminId(req: Request): string | undefined {
  return req.session.userId;
}

/** Mounted at /api/admin. Every route needs the admin role; every state change also a fresh password (S13, S27). */
export function createAdminRouter({ config, connection, directory, activity }: AdminRouterDeps): Router {
  const router = Router();
  const requireFreshAuth = createRequireFreshAuth(config);
  const users = getUserModel(connection);
  const sessions = () => connection.collection<SessionDocument>(SESSIONS_COLLECTION);
  router.use(requireAdmin);

  /** One `$group` over live sessions instead of a count per user. */
  async function sessionCounts(userIds?: string[]): Promise<Map<string, number>> {
    const match = userIds ? { 'session.userId': { $in: userIds } } : { 'session.userId': { $type: 'string' } };
    const rows = await sessions()
      .aggregate<{ _id: string; count: number }>([{ $match: { ...match, ...notExpired() } }, { $group: { _id: '$session.userId', count: { $sum: 1 } } }])
      .toArray();
    return new Map(rows.map((row) => [row._id, row.count]));
  }

  async function loadUser(req: Request): Promise<UserLean> {
    const { id } = AdminUserParamsSchema.parse(req.params);
    const user = await users.findById(id, { name: 1, email: 1, role: 1, disabledAt: 1, createdAt: 1 }).lean<UserLean>();
    if (!user) throw notFound();
    return user;
  }

  /** The admin's own current session is spared: ending it would look like a stolen cookie on their next click. */
  async function revokeUserSessions(userId: string, keepSid: string): Promise<number> {
    const ended = (await directory.listForUser(userId)).filter((session) => session.sid !== keepSid);
    const revoked = await directory.revokeAllForUser(userId, { actor: 'admin', reason: 'revoked', exceptSid: keepSid });
    await recordRevocations(userId, ended);
    return revoked;
  }

  async function recordRevocations(userId: string, ended: StoredSession[]): Promise<void> {
    for (const session of ended) {
      await activity.record({ userId, type: 'session_revoked', actor: 'admin', device: session.device, ip: session.ip });
    }
  }

  router.get('/sessions', async (req, res) => {
    const { page, pageSize, email } = AdminSessionsQuerySchema.parse(req.query);
    const filter: Record<string, unknown> = notExpired();
    if (email) filter['session.userId'] = { $in: await userIdsByEmailFragment(connection, email) };
    const [docs, total] = await Promise.all([
      sessions()
        .find(filter)
        .sort({ lastModified: -1, _id: 1 })
        .skip((page - 1) * pageSize)
        .limit(pageSize)
        .toArray(),
      sessions().countDocuments(filter),
    ]);
    const live = docs.map(directory.describe);
    const owners = await usersById(connection, live.flatMap((session) => (session.userId ? [session.userId] : [])));
    const body: AdminSessionListResponse = {
      sessions: live.map((session) => toAdminSessionView(session, session.userId ? (owners.get(session.userId) ?? null) : null)),
      page,
      pageSize,
      total,
    };
    res.json(body);
  });

  router.delete('/sessions/:handle', requireFreshAuth, async (req, res) => {
    const { handle } = SessionHandleParamsSchema.parse(req.params);
    const target = await directory.findByHandle(handle);
    if (!target) throw notFound();
    await directory.revoke(target.sid, { actor: 'admin', reason: 'revoked' });
    if (target.userId) await recordRevocations(target.userId, [target]);
    if (target.sid === req.sessionID) {
      // Their own row: a sign-out, so the cookie is cleared instead of replayed on the next request.
      await destroySession(req);
      clearSessionCookie(res, config);
    }
    res.status(204).end();
  });

  router.delete('/users/:id/sessions', requireFreshAuth, async (req, res) => {
    const user = await loadUser(req);
    const body: AdminRevokeUserSessionsResponse = { revoked: await revokeUserSessions(user._id.toString(), req.sessionID) };
    res.json(body);
  });

  router.get('/users', async (_req, res) => {
    const [all, counts] = await Promise.all([
      users.find({}, { name: 1, email: 1, role: 1, disabledAt: 1, createdAt: 1 }).sort({ email: 1 }).lean<UserLean[]>(),
      sessionCounts(),
    ]);
    const body: AdminUserListResponse = { users: all.map((user) => toAdminUserView(user, counts.get(user._id.toString()) ?? 0)) };
    res.json(body);
  });

  router.post('/users/:id/disable', requireFreshAuth, async (req, res) => {
    const user = await loadUser(req);
    const userId = user._id.toString();
    if (userId === adminId(req)) throw new HttpError(403, 'forbidden', 'You cannot disable your own account.');
    // Sign-in checks disabledAt, so it is set before the sessions go: no new session can slip in between.
    const disabledAt = user.disabledAt ?? new Date();
    await users.updateOne({ _id: userId }, { $set: { disabledAt } });
    await directory.revokeAllForUser(userId, { actor: 'admin', reason: 'account_disabled' });
    await activity.record({ userId, type: 'account_disabled', actor: 'admin' });
    const body: AdminUserResponse = { user: toAdminUserView({ ...user, disabledAt }, 0) };
    res.json(body);
  });

  router.post('/users/:id/enable', requireFreshAuth, async (req, res) => {
    const user = await loadUser(req);
    const userId = user._id.toString();
    await users.updateOne({ _id: userId }, { $set: { disabledAt: null } });
    if (user.disabledAt) await activity.record({ userId, type: 'account_enabled', actor: 'admin' });
    const counts = await sessionCounts([userId]);
    const body: AdminUserResponse = { user: toAdminUserView({ ...user, disabledAt: null }, counts.get(userId) ?? 0) };
    res.json(body);
  });

  router.get('/store', async (_req, res) => {
    res.json(await readStoreHealth({ connection, activity }));
  });

  return router;
}
