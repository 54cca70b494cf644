import { z } from 'zod';
import { EmailSchema } from './auth';
import { LinkTokenSchema } from './recovery';
import { SecondFactorMethodSchema } from './second-factor';
import { UserSchema } from './users';

/**
 * Follows a link from a verification mail. After registration it confirms the address; it signs the
 * browser in (a new session, sign-in method `email_link`, `aal1`) only for an account without a second
 * factor. An account with one gets a pending sign-in instead (`secondFactorRequired`, the second step of
 * a password sign-in completes it). A browser signed in to another account is never switched: 409
 * `signed_in_as_other`, its session untouched. After a change of address it applies the new address.
 */
export const VerifyEmailRequestSchema = z.object({ token: LinkTokenSchema });
export type VerifyEmailRequest = z.infer<typeof VerifyEmailRequestSchema>;
export const VerifyEmailResponseSchema = z.object({
  outcome: z.enum(['verified', 'email_changed']),
  user: UserSchema,
  /** This browser is signed in to the account now. */
  isSignedIn: z.boolean(),
  /** The account has a second factor: the browser holds a pending sign-in that the second step completes. */
  secondFactorRequired: z.boolean(),
  /** What the second step may be (empty unless `secondFactorRequired`). */
  methods: z.array(SecondFactorMethodSchema),
});
export type VerifyEmailResponse = z.infer<typeof VerifyEmailResponseSchema>;

/** A new verification link to the signed-in account's address (the older one stops working). */
export const ResendVerificationResponseSchema = z.object({
  isAlreadyVerified: z.boolean(),
  message: z.string(),
});
export type ResendVerificationResponse = z.infer<typeof ResendVerificationResponseSchema>;

/** Needs a recent password proof; the new address applies only once its link is followed. */
export const ChangeEmailRequestSchema = z.object({ email: EmailSchema });
export type ChangeEmailRequest = z.infer<typeof ChangeEmailRequestSchema>;
export const ChangeEmailResponseSchema = z.object({ message: z.string(), pendingEmail: z.string() });
export type ChangeEmailResponse = z.infer<typeof ChangeEmailResponseSchema>;

/**
 * Follows the link mailed to the old address when a change was requested: the change is called off
 * (its link to the new address stops working) as long as it has not applied.
 */
export const CancelEmailChangeRequestSchema = z.object({ token: LinkTokenSchema });
export type CancelEmailChangeRequest = z.infer<typeof CancelEmailChangeRequestSchema>;
export const CancelEmailChangeResponseSchema = z.object({ message: z.string() });
export type CancelEmailChangeResponse = z.infer<typeof CancelEmailChangeResponseSchema>;
