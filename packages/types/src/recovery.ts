import { z } from 'zod';
import { EmailSchema, PasswordSchema } from './auth';

/**
 * A one-time link's token as it arrives from the link (`?token=`). Any string is accepted here: a
 * truncated or made-up token is simply unknown, and the answer is `invalid_token` like any other.
 */
export const LinkTokenSchema = z.string({ error: 'Token must be text' }).min(1, { error: 'The link has no token' }).max(512);

/** Answered 202 whether or not an account exists for the address (S18, S34). */
export const ForgotPasswordRequestSchema = z.object({ email: EmailSchema });
export type ForgotPasswordRequest = z.infer<typeof ForgotPasswordRequestSchema>;
export const ForgotPasswordResponseSchema = z.object({ message: z.string() });
export type ForgotPasswordResponse = z.infer<typeof ForgotPasswordResponseSchema>;

/** Whether a reset link still works, before the person types a new password. */
export const CheckResetTokenRequestSchema = z.object({ token: LinkTokenSchema });
export type CheckResetTokenRequest = z.infer<typeof CheckResetTokenRequestSchema>;
export const CheckResetTokenResponseSchema = z.object({
  /** The account's address, for the page to show (and password managers to pair with the new password). */
  email: z.string(),
  expiresAt: z.iso.datetime(),
});
export type CheckResetTokenResponse = z.infer<typeof CheckResetTokenResponseSchema>;

/** The new password follows the registration policy; a used, expired or superseded token is `invalid_token`. */
export const ResetPasswordRequestSchema = z.object({ token: LinkTokenSchema, password: PasswordSchema });
export type ResetPasswordRequest = z.infer<typeof ResetPasswordRequestSchema>;
export const ResetPasswordResponseSchema = z.object({
  /** Every session of the account was ended, this browser's included. */
  endedSessions: z.number().int().nonnegative(),
});
export type ResetPasswordResponse = z.infer<typeof ResetPasswordResponseSchema>;
