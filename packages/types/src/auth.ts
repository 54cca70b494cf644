import { z } from 'zod';
import { AssuranceSchema } from './sessions';
import { UserSchema } from './users';
import { EMAIL_MAX_LENGTH, NAME_MAX_LENGTH, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './limits';

export { EMAIL_MAX_LENGTH, NAME_MAX_LENGTH, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH };

/** Emails are compared case-insensitively and without surrounding spaces. */
export const EmailSchema = z
  .string({ error: 'Email must be text' })
  .trim()
  .toLowerCase()
  .max(EMAIL_MAX_LENGTH, { error: 'Email is too long' })
  .pipe(z.email({ error: 'Enter a valid email address' }));

/** Taken as typed: no trimming, no normalisation, so what the person typed is what is hashed. */
export const PasswordSchema = z
  .string({ error: 'Password must be text' })
  .min(PASSWORD_MIN_LENGTH, { error: `Use at least ${PASSWORD_MIN_LENGTH} characters` })
  .max(PASSWORD_MAX_LENGTH, { error: `Use at most ${PASSWORD_MAX_LENGTH} characters` });

export const NameSchema = z
  .string({ error: 'Name must be text' })
  .trim()
  .min(1, { error: 'Enter your name' })
  .max(NAME_MAX_LENGTH, { error: `Use at most ${NAME_MAX_LENGTH} characters` });

export const RegisterRequestSchema = z.object({
  name: NameSchema,
  email: EmailSchema,
  password: PasswordSchema,
});
export type RegisterRequest = z.infer<typeof RegisterRequestSchema>;
/**
 * The same answer whether the address is new or already has an account (S18, S34): no session is
 * started, and the mail says what happened (a verification link, or a notice to the owner).
 * `mail: "unavailable"` when the server has no way to send mail (nothing was sent to anyone).
 */
export const RegisterResponseSchema = z.object({
  message: z.string(),
  mail: z.enum(['sent', 'unavailable']),
});
export type RegisterResponse = z.infer<typeof RegisterResponseSchema>;

/** Sign-in checks only that a password was given: the policy applies when one is chosen. */
export const LoginRequestSchema = z.object({
  email: EmailSchema,
  password: z
    .string({ error: 'Password must be text' })
    .min(1, { error: 'Enter your password' })
    .max(PASSWORD_MAX_LENGTH, { error: `Use at most ${PASSWORD_MAX_LENGTH} characters` }),
  rememberMe: z.boolean().optional().default(false),
});
export type LoginRequest = z.input<typeof LoginRequestSchema>;
export const LoginResponseSchema = z.object({ user: UserSchema });
export type LoginResponse = z.infer<typeof LoginResponseSchema>;

/** The current session as the signed-in person sees it on /api/auth/me. */
export const SessionSummarySchema = z.object({
  createdAt: z.iso.datetime(),
  lastActiveAt: z.iso.datetime(),
  /** The earlier of the idle and absolute deadlines: when this session ends if nothing happens. */
  expiresAt: z.iso.datetime(),
  idleExpiresAt: z.iso.datetime(),
  absoluteExpiresAt: z.iso.datetime(),
  rememberMe: z.boolean(),
  /** When the password was last proven in this session; sensitive actions need it recent. */
  authenticatedAt: z.iso.datetime(),
  /** How strongly the holder was proven (see AssuranceSchema). */
  assurance: AssuranceSchema,
});
export type SessionSummary = z.infer<typeof SessionSummarySchema>;

/**
 * The signed-in person as /api/auth/me reports them. `passwordBreached`: the password proven at this
 * session's sign-in appears in a breach corpus (a range look-up at each password sign-in); the dashboard
 * asks for a new one. A password change clears it; sessions signed in otherwise say false.
 */
export const CurrentUserSchema = UserSchema.extend({ passwordBreached: z.boolean() });
export type CurrentUser = z.infer<typeof CurrentUserSchema>;

export const MeResponseSchema = z.object({ user: CurrentUserSchema, session: SessionSummarySchema });
export type MeResponse = z.infer<typeof MeResponseSchema>;

/**
 * An authenticator-app code or a recovery code, as typed: spaces and dashes are ignored, letters compared
 * without case (so "1234 56" and "ABCD-efgh-…" work).
 */
export const OneTimeCodeSchema = z
  .string({ error: 'Enter the code' })
  .max(64, { error: 'That code is too long' })
  .transform((code) => code.replace(/[\s-]/g, '').toLowerCase())
  .pipe(
    z
      .string()
      .min(1, { error: 'Enter the code' })
      .regex(/^[a-z0-9]+$/, { error: 'Codes have only letters and digits' }),
  );

/**
 * Re-authentication ("sudo mode"): proves the account's strongest level again before a sensitive
 * action. On an account with an authenticator app the password alone answers 401
 * `second_factor_required`: `code` (app or recovery code) must come with it.
 */
export const ReauthRequestSchema = z.object({
  password: z
    .string({ error: 'Password must be text' })
    .min(1, { error: 'Enter your password' })
    .max(PASSWORD_MAX_LENGTH, { error: `Use at most ${PASSWORD_MAX_LENGTH} characters` }),
  code: OneTimeCodeSchema.optional(),
});
export type ReauthRequest = z.input<typeof ReauthRequestSchema>;
export const ReauthResponseSchema = MeResponseSchema;
export type ReauthResponse = z.infer<typeof ReauthResponseSchema>;

export const ChangePasswordRequestSchema = z.object({
  currentPassword: z
    .string({ error: 'Password must be text' })
    .min(1, { error: 'Enter your current password' })
    .max(PASSWORD_MAX_LENGTH, { error: `Use at most ${PASSWORD_MAX_LENGTH} characters` }),
  newPassword: PasswordSchema,
});
export type ChangePasswordRequest = z.infer<typeof ChangePasswordRequestSchema>;
export const ChangePasswordResponseSchema = z.object({
  /** How many other sessions of the account were ended. */
  endedSessions: z.number().int().nonnegative(),
});
export type ChangePasswordResponse = z.infer<typeof ChangePasswordResponseSchema>;
