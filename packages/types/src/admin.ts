import { z } from 'zod';
import { RoleSchema } from './users';
import { SessionViewSchema } from './sessions';
import { ActivityEventSchema } from './activity';

/** A session as an operator sees it: the owner's view, plus who owns it. */
export const AdminSessionViewSchema = SessionViewSchema.omit({ isCurrent: true }).extend({
  user: z.object({ id: z.string(), email: z.string(), name: z.string() }).nullable(),
});
export type AdminSessionView = z.infer<typeof AdminSessionViewSchema>;

export const ADMIN_PAGE_SIZE_MAX = 100;

export const AdminSessionsQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(ADMIN_PAGE_SIZE_MAX).default(20),
  /** Case-insensitive substring of the owner's email. */
  email: z.string().trim().max(254).optional(),
});
export type AdminSessionsQuery = z.input<typeof AdminSessionsQuerySchema>;

export const AdminSessionListResponseSchema = z.object({
  sessions: z.array(AdminSessionViewSchema),
  page: z.number().int(),
  pageSize: z.number().int(),
  total: z.number().int(),
});
export type AdminSessionListResponse = z.infer<typeof AdminSessionListResponseSchema>;

export const AdminUserViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  role: RoleSchema,
  isDisabled: z.boolean(),
  /** An authenticator app is enrolled (the second step of a password sign-in). */
  hasSecondFactor: z.boolean(),
  /** Names of the OpenID Connect providers connected to the account. */
  connections: z.array(z.string()),
  sessionCount: z.number().int().nonnegative(),
  createdAt: z.iso.datetime(),
});
export type AdminUserView = z.infer<typeof AdminUserViewSchema>;

export const AdminUserListResponseSchema = z.object({ users: z.array(AdminUserViewSchema) });
export type AdminUserListResponse = z.infer<typeof AdminUserListResponseSchema>;

export const AdminUserParamsSchema = z.object({ id: z.string().regex(/^[a-f0-9]{24}$/) });

export const AdminUserResponseSchema = z.object({ user: AdminUserViewSchema });
export type AdminUserResponse = z.infer<typeof AdminUserResponseSchema>;

/** Takes effect on the user's next request, on every instance, without signing them out. */
export const AdminSetRoleRequestSchema = z.object({ role: RoleSchema });
export type AdminSetRoleRequest = z.infer<typeof AdminSetRoleRequestSchema>;

export const AdminRevokeUserSessionsResponseSchema = z.object({ revoked: z.number().int().nonnegative() });
export type AdminRevokeUserSessionsResponse = z.infer<typeof AdminRevokeUserSessionsResponseSchema>;

/** The user gets a reset link by mail; the administrator never sees the link or the password. */
export const AdminSendResetLinkResponseSchema = z.object({ message: z.string() });
export type AdminSendResetLinkResponse = z.infer<typeof AdminSendResetLinkResponseSchema>;

export const StoreHealthResponseSchema = z.object({
  storedSessions: z.number().int(),
  /** Sessions with no signed-in user and no pending sign-in; with saveUninitialized: false this must stay 0. */
  anonymousSessions: z.number().int(),
  /** Password sign-ins waiting for their second factor (they grant nothing and expire in minutes). */
  pendingSignIns: z.number().int(),
  /** Past their `expires` but not yet removed by the TTL monitor (invisible to the app meanwhile). */
  expiredNotReaped: z.number().int(),
  ttlIndex: z.object({ present: z.boolean(), expireAfterSeconds: z.number().nullable() }),
  userIndex: z.object({ present: z.boolean() }),
  /** Live sessions bound to a device key (device-bound session credentials). */
  deviceBoundSessions: z.number().int(),
  topUsers: z.array(z.object({ userId: z.string(), email: z.string().nullable(), sessions: z.number().int() })),
  recentReplays: z.array(ActivityEventSchema.extend({ userEmail: z.string().nullable() })),
});
export type StoreHealthResponse = z.infer<typeof StoreHealthResponseSchema>;
