import { z } from 'zod';
import { ActivityEventSchema } from './activity';
import { DeviceSchema, SessionViewSchema } from './sessions';
import { UserSchema } from './users';

/**
 * `GET /api/account/export`: what Gatehouse holds about the signed-in person, for them to keep. It
 * never carries a secret or anything a secret could be checked against: no password hash, no
 * authenticator secret or recovery codes, no link tokens, no session ids or handles, no passkey keys.
 */
export const AccountExportSchema = z.object({
  exportedAt: z.iso.datetime(),
  account: UserSchema.omit({ id: true }).extend({
    hasPassword: z.boolean(),
    /** An authenticator app is enrolled (its secret is not exported). */
    hasAuthenticatorApp: z.boolean(),
    recoveryCodesLeft: z.number().int().nonnegative(),
  }),
  sessions: z.array(SessionViewSchema.omit({ handle: true })),
  /** The account's activity, newest first. */
  activity: z.array(ActivityEventSchema.omit({ id: true })),
  /** True when the account has more activity than an export carries (ACCOUNT_EXPORT_ACTIVITY_LIMIT). */
  activityTruncated: z.boolean(),
  /** The browsers the account has signed in from. */
  knownDevices: z.array(
    z.object({
      name: z.string().nullable(),
      device: DeviceSchema,
      firstSeenAt: z.iso.datetime(),
      lastSeenAt: z.iso.datetime(),
      lastIp: z.string().nullable(),
    }),
  ),
  passkeys: z.array(z.object({ name: z.string(), createdAt: z.iso.datetime(), lastUsedAt: z.iso.datetime().nullable(), isSynced: z.boolean() })),
  connectedProviders: z.array(z.object({ name: z.string(), email: z.string(), connectedAt: z.iso.datetime() })),
});
export type AccountExport = z.infer<typeof AccountExportSchema>;

/** The most activity entries one export carries (a year of ordinary use is far fewer). */
export const ACCOUNT_EXPORT_ACTIVITY_LIMIT = 10_000;

/** `DELETE /api/account`: the account's own address, typed out, says the person means it. */
export const DeleteAccountRequestSchema = z.object({
  confirm: z.string({ error: 'Type your email address to confirm' }).trim().toLowerCase().min(1, { error: 'Type your email address to confirm' }),
});
export type DeleteAccountRequest = z.input<typeof DeleteAccountRequestSchema>;
