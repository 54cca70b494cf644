import { z } from 'zod';
import { LoginResponseSchema, OneTimeCodeSchema } from './auth';
import { SignOutOtherSessionsSchema } from './sessions';
import { UserSchema } from './users';
import { PasskeyAuthenticationCredentialSchema, PasskeyRequestOptionsSchema } from './passkeys';

export { OneTimeCodeSchema };

/** The number of recovery codes an account gets at once (each single use). */
export const RECOVERY_CODE_COUNT = 10;
/** Digits of an authenticator-app code (RFC 6238 with the usual 30-second step, SHA-1). */
export const TOTP_DIGITS = 6;

/** What the second step of a password sign-in accepts for this account. */
export const SecondFactorMethodSchema = z.enum(['totp', 'recovery_code', 'passkey']);
export type SecondFactorMethod = z.infer<typeof SecondFactorMethodSchema>;

/**
 * The password was right, but the account has a second factor: nothing is signed in yet. The browser
 * holds a pending sign-in that grants nothing and expires in minutes; the second step completes it.
 */
export const SecondFactorRequiredResponseSchema = z.object({
  secondFactorRequired: z.literal(true),
  methods: z.array(SecondFactorMethodSchema),
});
export type SecondFactorRequiredResponse = z.infer<typeof SecondFactorRequiredResponseSchema>;

/** `POST /api/auth/login` answers with the signed-in user, or asks for the second factor. */
export const PasswordLoginResponseSchema = z.union([LoginResponseSchema, SecondFactorRequiredResponseSchema]);
export type PasswordLoginResponse = z.infer<typeof PasswordLoginResponseSchema>;

/** The second step: a code (authenticator app or recovery code), or a passkey assertion. */
export const SecondFactorLoginRequestSchema = z.union([z.object({ code: OneTimeCodeSchema }), z.object({ credential: PasskeyAuthenticationCredentialSchema })]);
export type SecondFactorLoginRequest = z.input<typeof SecondFactorLoginRequestSchema>;
export const SecondFactorLoginResponseSchema = z.object({ user: UserSchema });
export type SecondFactorLoginResponse = z.infer<typeof SecondFactorLoginResponseSchema>;

/** A passkey as the second step: the challenge lists only the pending account's passkeys. */
export const SecondFactorPasskeyOptionsResponseSchema = z.object({ options: PasskeyRequestOptionsSchema });
export type SecondFactorPasskeyOptionsResponse = z.infer<typeof SecondFactorPasskeyOptionsResponseSchema>;

/** The account's second factors as its owner sees them. */
export const SecondFactorStatusResponseSchema = z.object({
  totp: z.object({ isEnabled: z.boolean(), enabledAt: z.iso.datetime().nullable() }),
  /** Unused recovery codes left (0 when the authenticator app is off). */
  recoveryCodesLeft: z.number().int().nonnegative(),
  /** Whether this account must have a second factor to use the admin console (the deployment's setting). */
  isRequiredForAdmin: z.boolean(),
});
export type SecondFactorStatusResponse = z.infer<typeof SecondFactorStatusResponseSchema>;

/**
 * Enrolment, step one: a new secret, shown once (as text and as an `otpauth://` URI for a QR code). It
 * does nothing until a first valid code confirms it.
 */
export const TotpEnrolmentResponseSchema = z.object({
  secret: z.string(),
  uri: z.string().startsWith('otpauth://totp/'),
});
export type TotpEnrolmentResponse = z.infer<typeof TotpEnrolmentResponseSchema>;

export const TotpConfirmRequestSchema = z.object({ code: OneTimeCodeSchema, signOutOtherSessions: SignOutOtherSessionsSchema });
export type TotpConfirmRequest = z.input<typeof TotpConfirmRequestSchema>;

/** Recovery codes are shown once, here; the server keeps only their hashes. */
export const RecoveryCodesResponseSchema = z.object({ recoveryCodes: z.array(z.string()) });
export type RecoveryCodesResponse = z.infer<typeof RecoveryCodesResponseSchema>;
export const TotpConfirmResponseSchema = RecoveryCodesResponseSchema.extend({
  /** How many other sessions ended with the change. */
  endedSessions: z.number().int().nonnegative(),
});
export type TotpConfirmResponse = z.infer<typeof TotpConfirmResponseSchema>;

/** Turning the app off (`DELETE /api/account/totp`); the body is optional. */
export const TotpDisableRequestSchema = z.object({ signOutOtherSessions: SignOutOtherSessionsSchema });
export type TotpDisableRequest = z.input<typeof TotpDisableRequestSchema>;

/** What a factor change did to the account's other sessions. */
export const FactorChangeResponseSchema = z.object({ endedSessions: z.number().int().nonnegative() });
export type FactorChangeResponse = z.infer<typeof FactorChangeResponseSchema>;
