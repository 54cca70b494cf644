import { Router } from 'express';
import type { Connection } from 'mongoose';
import { AdminActivityExportQuerySchema } from '@gatehouse/types/activity';
import { AdminSessionsQuerySchema, AdminSetRoleRequestSchema, AdminUserParamsSchema } from '@gatehouse/types/admin';
import type {
  AdminRevokeUserSessionsResponse,
  AdminSendResetLinkResponse,
  AdminSessionListResponse,
  AdminUserListResponse,
  AdminUserResponse,
  AdminUserView,
} from '@gatehouse/types/admin';
import { SessionHandleParamsSchema } from '@gatehouse/types/sessions';
import type { ActivityLog } from '../activity/activity-log';
import { sendActivityExport } from '../activity/export';
import type { Config } from '../config';
import type { KnownDevices } from '../devices/known-devices';
import type { Places } from '../location/places';
import type { MailService } from '../mail/mail-service';
import type { MailThrottle } from '../throttle/mail-throttle';
import type { PasswordResets } from '../recovery/password-resets';
import { HttpError, notFound, adminSecondFactorRequired } from '../http/errors';
import type { SecondFactorEnrolment } from '../second-factor/enrolment';
import type { SessionRegistry } from '../sessions/registry';
import { createRequireFreshAuth, requireAdmin, requireAssurance, signedInUser } from '../sessions/signed-in';
import { toAdminSessionView } from '../sessions/views';
import type { AccountChanges } from '../users/accounts';
import { readStoreHealth } from './store-health';
import { adminUserById, allAdminUsers, userIdByEmail, userIdsByEmailFragment, usersById } from '../users/lookup';
import type { AdminUserRecord } from '../users/lookup';

export interface AdminRouterDeps {
  config: Pick<Config, 'reauthWindowSeconds' | 'cookieName' | 'isProduction' | 'requireAdminSecondFactor'>;
  connection: Connection;
  registry: Pick<SessionRegistry, 'page' | 'countByUser' | 'findByHandle' | 'endSession' | 'endThisSession' | 'endAccountSessions' | 'health'>;
  accounts: Pick<AccountChanges, 'disable' | 'enable' | 'setRole'>;
  devices: Pick<KnownDevices, 'labels' | 'labelKey'>;
  places: Pick<Places, 'locate'>;
  activity: Pick<ActivityLog, 'listRecentOfType' | 'exportEntries'>;
  resets: PasswordResets;
  mail: Pick<MailService, 'requireAvailable'>;
  mailThrottle: Pick<MailThrottle, 'takeMailRequest'>;
  enrolment: SecondFactorEnrolment;
  /** The OpenID Connect providers connected to accounts, by name. */
  connections: { namesAmong(userIds: string[]): Promise<Map<string, string[]>> };
}

type UserLean = AdminUserRecord;

const DAY_MS = 24 * 60 * 60 * 1000;
const isDateOnly = (bound: string) => /^\d{4}-\d{2}-\d{2}$/.test(bound);
/** A date means the whole UTC day: `from` its start, `to` (exclusive) the next day's start. */
const exportBound = (bound: string | undefined, side: 'from' | 'to'): Date | undefined => {
  if (bound === undefined) return undefined;
  if (!isDateOnly(bound)) return new Date(bound);
  const start = new Date(`${bound}T00:00:00.000Z`);
  return side === 'from' ? start : new Date(start.getTime() + DAY_MS);
};

async function* noEntries(): AsyncGenerator<never> {}

function toAdminUserView(user: UserLean, sessionCount: number, hasSecondFactor: boolean, connections: string[]): AdminUserView {
  return {
    id: user._id.toString(),
    name: user.name,
    email: user.email,
    role: user.role,
    isDisabled: user.disabledAt !== null && user.disabledAt !== undefined,
    hasSecondFactor,
    connections,
    sessionCount,
    createdAt: user.createdAt.toISOString(),
  };
}

/** Mounted at /api/admin. Every route needs the admin role; every state change also a fresh password (S13, S27). */
export function createAdminRouter({
  config,
  connection,
  registry,
  accounts,
  devices,
  places,
  activity,
  resets,
  mail,
  mailThrottle,
  enrolment,
  connections,
}: AdminRouterDeps): Router {
  const router = Router();
  const requireFreshAuth = createRequireFreshAuth(config);
  router.use(requireAdmin);
  // The deployment's choice (REQUIRE_ADMIN_SECOND_FACTOR): the admin console only for a session proven with
  // two factors (aal2). Having a factor is not enough: enrolling one inside a password session raises nothing (S42).
  if (config.requireAdminSecondFactor) router.use(requireAssurance('aal2', adminSecondFactorRequired));

  async function loadUser(params: unknown): Promise<UserLean> {
    const { id } = AdminUserParamsSchema.parse(params);
    const user = await adminUserById(connection, id);
    if (!user) throw notFound();
    return user;
  }

  async function userView(userId: string): Promise<AdminUserView> {
    const [user, counts, enrolled, connected] = await Promise.all([
      adminUserById(connection, userId),
      registry.countByUser([userId]),
      enrolment.isEnrolled(userId),
      connections.namesAmong([userId]),
    ]);
    if (!user) throw notFound();
    return toAdminUserView(user, counts.get(userId) ?? 0, enrolled, connected.get(userId) ?? []);
  }

  /** Acting on one's own account here would lock the admin out mid-task: refused, and the page does not offer it. */
  function refuseOwnAccount(userId: string, adminId: string, what: string): void {
    if (userId === adminId) throw new HttpError(403, 'forbidden', `You cannot ${what} your own account.`);
  }

  router.get('/sessions', async (req, res) => {
    const { page, pageSize, email } = AdminSessionsQuerySchema.parse(req.query);
    const userIds = email ? await userIdsByEmailFragment(connection, email) : undefined;
    const { sessions, total } = await registry.page({ userIds, page, pageSize });
    const owned = sessions.flatMap((session) => (session.userId ? [{ userId: session.userId, deviceKey: session.deviceKey }] : []));
    const [owners, labels, locations] = await Promise.all([
      usersById(
        connection,
        owned.map(({ userId }) => userId),
      ),
      devices.labels(owned),
      Promise.all(sessions.map((session) => places.locate(session.ip))),
    ]);
    const body: AdminSessionListResponse = {
      sessions: sessions.map((session, index) =>
        toAdminSessionView(session, session.userId ? (owners.get(session.userId) ?? null) : null, {
          label: session.userId ? labels.get(devices.labelKey(session.userId, session.deviceKey)) : undefined,
          location: locations[index] ?? null,
        }),
      ),
      page,
      pageSize,
      total,
    };
    res.json(body);
  });

  router.delete('/sessions/:handle', requireFreshAuth, async (req, res) => {
    const { handle } = SessionHandleParamsSchema.parse(req.params);
    const target = await registry.findByHandle(handle);
    if (!target) throw notFound();
    const isOwn = target.sid === signedInUser(req).sid;
    // Their own row is a sign-out, so the cookie is cleared instead of replayed on the next request.
    if (isOwn) await registry.endThisSession(req, res, { reason: 'signed_out', actor: 'self' }, { forgetClient: false });
    else await registry.endSession(target.sid, { reason: 'revoked', actor: 'admin' });
    res.status(204).end();
  });

  /** The admin's own current session is spared: ending it would look like a stolen cookie on their next click. */
  router.delete('/users/:id/sessions', requireFreshAuth, async (req, res) => {
    const user = await loadUser(req.params);
    const revoked = await registry.endAccountSessions(user._id.toString(), { reason: 'revoked', actor: 'admin' }, { exceptSid: signedInUser(req).sid });
    const body: AdminRevokeUserSessionsResponse = { revoked };
    res.json(body);
  });

  router.get('/users', async (_req, res) => {
    const [all, counts] = await Promise.all([allAdminUsers(connection), registry.countByUser()]);
    const ids = all.map((user) => user._id.toString());
    const [enrolled, connected] = await Promise.all([enrolment.enrolledAmong(ids), connections.namesAmong(ids)]);
    const body: AdminUserListResponse = {
      users: all.map((user) => {
        const id = user._id.toString();
        return toAdminUserView(user, counts.get(id) ?? 0, enrolled.has(id), connected.get(id) ?? []);
      }),
    };
    res.json(body);
  });

  router.post('/users/:id/disable', requireFreshAuth, async (req, res) => {
    const userId = (await loadUser(req.params))._id.toString();
    refuseOwnAccount(userId, signedInUser(req).userId, 'disable');
    await accounts.disable(userId);
    const body: AdminUserResponse = { user: await userView(userId) };
    res.json(body);
  });

  router.post('/users/:id/enable', requireFreshAuth, async (req, res) => {
    const userId = (await loadUser(req.params))._id.toString();
    await accounts.enable(userId);
    const body: AdminUserResponse = { user: await userView(userId) };
    res.json(body);
  });

  /** Applies on the user's next request on every instance, as `npm run user:role` does (S4). */
  router.post('/users/:id/role', requireFreshAuth, async (req, res) => {
    const userId = (await loadUser(req.params))._id.toString();
    const { role } = AdminSetRoleRequestSchema.parse(req.body);
    refuseOwnAccount(userId, signedInUser(req).userId, 'change the role of');
    await accounts.setRole(userId, role, 'admin');
    const body: AdminUserResponse = { user: await userView(userId) };
    res.json(body);
  });

  /** The user gets the link by mail; the administrator sees neither it nor any password. */
  router.post('/users/:id/password-reset', requireFreshAuth, async (req, res) => {
    const user = await loadUser(req.params);
    if (user.disabledAt) throw new HttpError(409, 'account_disabled', 'Enable the account before sending it a reset link.');
    mail.requireAvailable();
    await mailThrottle.takeMailRequest({ address: user.email, ip: req.ip ?? 'unknown' });
    resets.sendLinkLater(user.email, { byAdmin: true });
    req.log.info({ authEvent: 'admin_sent_reset_link', userId: user._id.toString(), adminId: signedInUser(req).userId }, 'auth: admin_sent_reset_link');
    const body: AdminSendResetLinkResponse = { message: `A link to set a new password is on its way to ${user.email}.` };
    res.status(202).json(body);
  });

  router.get('/store', async (_req, res) => {
    res.json(await readStoreHealth({ connection, registry, activity }));
  });

  router.get('/activity/export', async (req, res) => {
    const { format, from, to, email } = AdminActivityExportQuerySchema.parse(req.query);
    const userId = email === undefined ? undefined : await userIdByEmail(connection, email);
    const filter = { from: exportBound(from, 'from'), to: exportBound(to, 'to'), withUserIds: true, ...(userId ? { userId } : {}) };
    // An address no account has matches no entry (not everyone's).
    const entries = userId === null ? noEntries() : activity.exportEntries(filter);
    await sendActivityExport(res, { format, filename: 'activity-all', entries });
  });

  return router;
}
