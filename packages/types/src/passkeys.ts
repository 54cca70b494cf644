import { z } from 'zod';
import { UserSchema } from './users';
import { MeResponseSchema } from './auth';
import { SignOutOtherSessionsSchema } from './sessions';

export const PASSKEY_NAME_MAX_LENGTH = 60;
/** Enough for any credential the WebAuthn spec allows (ids are at most 1023 bytes). */
const BASE64URL_MAX = 8192;

const Base64UrlSchema = z
  .string()
  .max(BASE64URL_MAX)
  .regex(/^[A-Za-z0-9_-]*$/, { error: 'Must be base64url' });
const TransportsSchema = z.array(z.string().max(32)).max(10);

/**
 * What the browser's `navigator.credentials.create()` gave, in the JSON form of WebAuthn Level 3
 * (`@simplewebauthn/browser`'s `startRegistration` returns it).
 */
export const PasskeyRegistrationCredentialSchema = z.object({
  id: Base64UrlSchema.min(1),
  rawId: Base64UrlSchema.min(1),
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: Base64UrlSchema,
    attestationObject: Base64UrlSchema,
    authenticatorData: Base64UrlSchema.optional(),
    transports: TransportsSchema.optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: Base64UrlSchema.optional(),
  }),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.object({ credProps: z.object({ rk: z.boolean().optional() }).optional() }),
});
export type PasskeyRegistrationCredential = z.infer<typeof PasskeyRegistrationCredentialSchema>;

/** What `navigator.credentials.get()` gave (`startAuthentication` returns it). */
export const PasskeyAuthenticationCredentialSchema = z.object({
  id: Base64UrlSchema.min(1),
  rawId: Base64UrlSchema.min(1),
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: Base64UrlSchema,
    authenticatorData: Base64UrlSchema,
    signature: Base64UrlSchema,
    userHandle: Base64UrlSchema.optional(),
  }),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.object({}),
});
export type PasskeyAuthenticationCredential = z.infer<typeof PasskeyAuthenticationCredentialSchema>;

const CredentialDescriptorSchema = z.object({ id: z.string(), type: z.string(), transports: z.array(z.string()).optional() });
const UserVerificationSchema = z.enum(['required', 'preferred', 'discouraged']);
const HintsSchema = z.array(z.enum(['hybrid', 'security-key', 'client-device']));

/** Options for `navigator.credentials.create()` in JSON form (WebAuthn Level 3), as the server made them. */
export const PasskeyCreationOptionsSchema = z.object({
  rp: z.object({ name: z.string(), id: z.string().optional() }),
  user: z.object({ id: z.string(), name: z.string(), displayName: z.string() }),
  challenge: z.string(),
  pubKeyCredParams: z.array(z.object({ alg: z.number(), type: z.literal('public-key') })),
  timeout: z.number().optional(),
  excludeCredentials: z.array(CredentialDescriptorSchema).optional(),
  authenticatorSelection: z
    .object({
      authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
      requireResidentKey: z.boolean().optional(),
      residentKey: UserVerificationSchema.optional(),
      userVerification: UserVerificationSchema.optional(),
    })
    .optional(),
  hints: HintsSchema.optional(),
  attestation: z.enum(['direct', 'enterprise', 'indirect', 'none']).optional(),
  extensions: z.object({ credProps: z.boolean().optional() }).optional(),
});
export type PasskeyCreationOptions = z.infer<typeof PasskeyCreationOptionsSchema>;

/** Options for `navigator.credentials.get()` in JSON form. */
export const PasskeyRequestOptionsSchema = z.object({
  challenge: z.string(),
  timeout: z.number().optional(),
  rpId: z.string().optional(),
  allowCredentials: z.array(CredentialDescriptorSchema).optional(),
  userVerification: UserVerificationSchema.optional(),
  hints: HintsSchema.optional(),
});
export type PasskeyRequestOptions = z.infer<typeof PasskeyRequestOptionsSchema>;

export const PasskeyViewSchema = z.object({
  /** The credential id (base64url): public, and what the browser names the passkey by. */
  id: z.string(),
  name: z.string(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
  /** Synced between devices (a "multi-device" credential that is backed up) or bound to one. */
  isSynced: z.boolean(),
});
export type PasskeyView = z.infer<typeof PasskeyViewSchema>;

export const PasskeyNameSchema = z
  .string({ error: 'Name must be text' })
  .trim()
  .min(1, { error: 'Give the passkey a name' })
  .max(PASSKEY_NAME_MAX_LENGTH, { error: `Use at most ${PASSKEY_NAME_MAX_LENGTH} characters` });

export const PasskeyListResponseSchema = z.object({ passkeys: z.array(PasskeyViewSchema) });
export type PasskeyListResponse = z.infer<typeof PasskeyListResponseSchema>;

export const PasskeyParamsSchema = z.object({ id: Base64UrlSchema.min(1).max(1400) });

export const PasskeyRegistrationOptionsResponseSchema = z.object({ options: PasskeyCreationOptionsSchema });
export type PasskeyRegistrationOptionsResponse = z.infer<typeof PasskeyRegistrationOptionsResponseSchema>;

export const AddPasskeyRequestSchema = z.object({
  name: PasskeyNameSchema,
  credential: PasskeyRegistrationCredentialSchema,
  signOutOtherSessions: SignOutOtherSessionsSchema,
});
export type AddPasskeyRequest = z.input<typeof AddPasskeyRequestSchema>;
export const PasskeyResponseSchema = z.object({ passkey: PasskeyViewSchema });
export type PasskeyResponse = z.infer<typeof PasskeyResponseSchema>;
/** A passkey added: it, and how many other sessions ended with the change. */
export const AddPasskeyResponseSchema = PasskeyResponseSchema.extend({ endedSessions: z.number().int().nonnegative() });
export type AddPasskeyResponse = z.infer<typeof AddPasskeyResponseSchema>;
/** Removing a passkey (`DELETE /api/account/passkeys/:id`); the body is optional. */
export const RemovePasskeyRequestSchema = z.object({ signOutOtherSessions: SignOutOtherSessionsSchema });
export type RemovePasskeyRequest = z.input<typeof RemovePasskeyRequestSchema>;

export const RenamePasskeyRequestSchema = z.object({ name: PasskeyNameSchema });
export type RenamePasskeyRequest = z.input<typeof RenamePasskeyRequestSchema>;

/** Sign-in and re-authentication with a passkey: the challenge for `navigator.credentials.get()`. */
export const PasskeyAuthenticationOptionsResponseSchema = z.object({ options: PasskeyRequestOptionsSchema });
export type PasskeyAuthenticationOptionsResponse = z.infer<typeof PasskeyAuthenticationOptionsResponseSchema>;

/** Passwordless sign-in: a discoverable passkey names its account itself. */
export const PasskeyLoginRequestSchema = z.object({
  credential: PasskeyAuthenticationCredentialSchema,
  rememberMe: z.boolean().optional().default(false),
});
export type PasskeyLoginRequest = z.input<typeof PasskeyLoginRequestSchema>;
export const PasskeyLoginResponseSchema = z.object({ user: UserSchema });
export type PasskeyLoginResponse = z.infer<typeof PasskeyLoginResponseSchema>;

/** Re-authentication (sudo mode) with a passkey instead of the password. */
export const PasskeyReauthRequestSchema = z.object({ credential: PasskeyAuthenticationCredentialSchema });
export type PasskeyReauthRequest = z.input<typeof PasskeyReauthRequestSchema>;
export const PasskeyReauthResponseSchema = MeResponseSchema;
export type PasskeyReauthResponse = z.infer<typeof PasskeyReauthResponseSchema>;
