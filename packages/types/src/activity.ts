import { z } from 'zod';
import { EmailSchema } from './auth';
import { AuthMethodSchema, DeviceSchema, SessionEndReasonSchema } from './sessions';

export const ActivityTypeSchema = z.enum([
  'sign_in',
  'sign_in_failed',
  'sign_out',
  'session_revoked',
  'other_sessions_revoked',
  'password_changed',
  'revoked_session_reused',
  'session_expired',
  'session_evicted',
  'account_disabled',
  'account_enabled',
  'account_deleted',
  'registered',
  'role_changed',
  'totp_enabled',
  'totp_disabled',
  'recovery_code_used',
  'passkey_added',
  'passkey_removed',
  'email_verification_sent',
  'email_verified',
  'registration_attempted',
  'password_reset_requested',
  'password_reset',
  'email_change_requested',
  'email_changed',
  'email_change_cancelled',
  'new_device_sign_in',
  'oidc_connected',
  'oidc_disconnected',
  'oidc_sign_in_refused',
  'session_used_without_device_key',
  'device_binding_ended',
]);
export type ActivityType = z.infer<typeof ActivityTypeSchema>;

export const ActivityEventSchema = z.object({
  id: z.string(),
  type: ActivityTypeSchema,
  at: z.iso.datetime(),
  device: DeviceSchema.nullable(),
  ip: z.string().nullable(),
  /** Who caused it when not the account itself ("admin" for an operator's action). */
  actor: z.enum(['self', 'admin', 'system']),
  /** Theft signals and other events a person should look at. */
  isSuspicious: z.boolean(),
  /** For a session that ended: why (the same reasons the live stream gives the ended tab). */
  reason: SessionEndReasonSchema.optional(),
  /** For sign-ins and re-authentications: the factors proven, in order (e.g. ["password", "totp"]). */
  authMethods: z.array(AuthMethodSchema).optional(),
  /** For passkey events: the passkey's name when it happened. */
  passkeyName: z.string().optional(),
  /** For OpenID Connect events: the provider's name. */
  providerName: z.string().optional(),
});
export type ActivityEvent = z.infer<typeof ActivityEventSchema>;

export const ActivityListResponseSchema = z.object({ events: z.array(ActivityEventSchema) });
export type ActivityListResponse = z.infer<typeof ActivityListResponseSchema>;

export const ACTIVITY_EXPORT_FORMATS = ['ndjson', 'csv'] as const;
export const ActivityExportFormatSchema = z.enum(ACTIVITY_EXPORT_FORMATS);
export type ActivityExportFormat = z.infer<typeof ActivityExportFormatSchema>;

/** GET /api/activity/export: the signed-in account's whole trail, oldest first. */
export const ActivityExportQuerySchema = z.object({ format: ActivityExportFormatSchema.default('ndjson') });
export type ActivityExportQuery = z.infer<typeof ActivityExportQuerySchema>;

/** `YYYY-MM-DD` (a whole UTC day) or an ISO date-time. */
const ExportBoundSchema = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

/**
 * GET /api/admin/activity/export: every account's trail, oldest first. `from` is inclusive; `to` is
 * inclusive of a whole day when it is a date, exclusive when it is a date-time; `email` is one account's
 * exact address.
 */
export const AdminActivityExportQuerySchema = ActivityExportQuerySchema.extend({
  from: ExportBoundSchema.optional(),
  to: ExportBoundSchema.optional(),
  email: EmailSchema.optional(),
});
export type AdminActivityExportQuery = z.infer<typeof AdminActivityExportQuerySchema>;

/**
 * One line of an NDJSON export (and one row of a CSV export, nested values as JSON). `seq` and `hash` are
 * the entry's place in the tamper-evident chain; entries recorded before the chain existed have neither.
 */
export const ActivityExportEntrySchema = ActivityEventSchema.extend({
  /** Only in the admin export; absent from an anonymised entry. */
  userId: z.string().optional(),
  seq: z.number().int().positive().optional(),
  hash: z.string().optional(),
  anonymised: z.boolean().optional(),
});
export type ActivityExportEntry = z.infer<typeof ActivityExportEntrySchema>;

/** The columns of a CSV export, in order. */
export const ACTIVITY_EXPORT_COLUMNS = [
  'at',
  'type',
  'actor',
  'isSuspicious',
  'userId',
  'ip',
  'device',
  'reason',
  'authMethods',
  'passkeyName',
  'providerName',
  'anonymised',
  'id',
  'seq',
  'hash',
] as const;
