import { z } from 'zod';
import { SessionLimitDetailsSchema } from './sessions';

/** Every error the API returns has this shape; `code` is stable, `message` is for people. */
export const ErrorCodeSchema = z.enum([
  'validation_failed',
  'unauthenticated',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'invalid_credentials',
  'email_taken',
  'account_disabled',
  'account_changed',
  'session_limit_reached',
  'reauth_required',
  'invalid_code',
  'second_factor_required',
  'totp_already_enabled',
  'totp_not_enabled',
  'passkey_rejected',
  'invalid_token',
  'email_unverified',
  'password_breached',
  'signed_in_as_other',
  'last_sign_in_method',
  'device_binding_required',
  'invalid_device_proof',
  'mail_unavailable',
  'too_many_requests',
  'cross_site_request',
  'unsupported_media_type',
  'payload_too_large',
  'malformed_body',
  'service_unavailable',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export const ErrorBodySchema = z.object({
  error: z.object({
    code: ErrorCodeSchema,
    message: z.string(),
    /** Per-field messages for `validation_failed`, keyed by the field's path ("email", "password"). */
    fields: z.record(z.string(), z.string()).optional(),
    /** With `signed_in_as_other`: the account this browser is signed in to (its address, to say which). */
    signedInAs: z.string().optional(),
    /** With `session_limit_reached`: the sessions to choose from and the ticket to end one (sessions.ts). */
    sessionLimit: SessionLimitDetailsSchema.optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;
