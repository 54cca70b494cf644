import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import {
  SecondFactorRequiredResponseSchema,
  RecoveryCodesResponseSchema,
  SecondFactorLoginRequestSchema,
  SecondFactorLoginResponseSchema,
  SecondFactorPasskeyOptionsResponseSchema,
  SecondFactorStatusResponseSchema,
  TotpConfirmRequestSchema,
  TotpEnrolmentResponseSchema,
} from '@gatehouse/types/second-factor';
import { addOperation, json, jsonBody, SETS_SESSION_COOKIE } from './operations';

const SecondFactorStatusResponse = SecondFactorStatusResponseSchema.meta({ id: 'SecondFactorStatusResponse' });
const TotpEnrolmentResponse = TotpEnrolmentResponseSchema.meta({ id: 'TotpEnrolmentResponse' });
const TotpConfirmRequest = TotpConfirmRequestSchema.meta({ id: 'TotpConfirmRequest' });
const RecoveryCodesResponse = RecoveryCodesResponseSchema.meta({ id: 'RecoveryCodesResponse' });
const SecondFactorLoginRequest = SecondFactorLoginRequestSchema.meta({ id: 'SecondFactorLoginRequest' });
const SecondFactorLoginResponse = SecondFactorLoginResponseSchema.meta({ id: 'SecondFactorLoginResponse' });
const SecondFactorPasskeyOptionsResponse = SecondFactorPasskeyOptionsResponseSchema.meta({ id: 'SecondFactorPasskeyOptionsResponse' });

const FRESH_PROOF = 'Needs a recent proof (`POST /api/auth/reauth`).';
const PENDING =
  'Only with the pending sign-in a password sign-in left when it answered `secondFactorRequired` (it grants nothing else and expires in minutes); without one, or after it expired, `unauthenticated`.';

/** second-factor/account-router.ts and second-factor/second-step.ts: the authenticator app, recovery codes, and the second step of a sign-in. */
export function describeSecondFactor(api: OpenAPIRegistry): void {
  addOperation(api, {
    method: 'get',
    path: '/api/account/second-factor',
    tags: ['Second factor'],
    summary: "The account's second factors",
    access: 'signed-in',
    responses: { 200: json('Whether the authenticator app is on, recovery codes left, and whether admins must have one.', SecondFactorStatusResponse) },
  });
  addOperation(api, {
    method: 'post',
    path: '/api/account/totp',
    tags: ['Second factor'],
    summary: 'Begin setting up an authenticator app',
    description: `A new secret, shown this once (text and \`otpauth://\` URI); nothing changes until a code confirms it. Takes no body. ${FRESH_PROOF}`,
    access: 'signed-in',
    responses: { 200: json('The secret to enter in the app.', TotpEnrolmentResponse) },
    errors: { 403: ['reauth_required'], 409: ['totp_already_enabled'] },
  });
  addOperation(api, {
    method: 'post',
    path: '/api/account/totp/confirm',
    tags: ['Second factor'],
    summary: 'Turn the authenticator app on with a first code',
    description: 'The recovery codes are in this answer only; the server keeps their hashes. Code checks are throttled.',
    access: 'signed-in',
    request: { body: jsonBody(TotpConfirmRequest) },
    responses: { 200: json('On; the recovery codes, shown this once.', RecoveryCodesResponse) },
    errors: { 400: ['validation_failed'], 401: ['invalid_code'], 409: ['totp_already_enabled', 'totp_not_enabled'], 429: ['too_many_requests'] },
  });
  addOperation(api, {
    method: 'delete',
    path: '/api/account/totp',
    tags: ['Second factor'],
    summary: 'Turn the authenticator app off',
    description: `Its recovery codes go with it. ${FRESH_PROOF}`,
    access: 'signed-in',
    responses: { 204: { description: 'Off.' } },
    errors: { 403: ['reauth_required'], 409: ['totp_not_enabled'] },
  });
  addOperation(api, {
    method: 'post',
    path: '/api/account/recovery-codes',
    tags: ['Second factor'],
    summary: 'New recovery codes',
    description: `They replace every old one, used or not. Takes no body. ${FRESH_PROOF}`,
    access: 'signed-in',
    responses: { 200: json('The new codes, shown this once.', RecoveryCodesResponse) },
    errors: { 403: ['reauth_required'], 409: ['totp_not_enabled'] },
  });

  addOperation(api, {
    method: 'get',
    path: '/api/auth/login/second-factor',
    tags: ['Second factor'],
    summary: 'The pending sign-in, if any',
    description: `Whether this browser holds a pending sign-in, and the methods to finish it with (a provider's sign-in lands on \`/login?second_step=1\` with one). ${PENDING}`,
    access: 'public',
    responses: { 200: json('The methods the second step may use.', SecondFactorRequiredResponseSchema.meta({ id: 'PendingSignInResponse' })) },
    errors: { 401: ['unauthenticated'] },
  });
  addOperation(api, {
    method: 'post',
    path: '/api/auth/login/second-factor/passkey-options',
    tags: ['Second factor'],
    summary: 'Options for a passkey as the second step',
    description: `Lists only the pending account's passkeys. Takes no body. ${PENDING}`,
    access: 'public',
    responses: { 200: json('The request options.', SecondFactorPasskeyOptionsResponse) },
  });
  addOperation(api, {
    method: 'post',
    path: '/api/auth/login/second-factor',
    tags: ['Second factor'],
    summary: 'Finish a password sign-in with the second factor',
    description: `An authenticator-app code, a recovery code (single use) or a passkey. Code checks are throttled. ${PENDING}`,
    access: 'public',
    request: { body: jsonBody(SecondFactorLoginRequest) },
    responses: { 200: json('Signed in.', SecondFactorLoginResponse, SETS_SESSION_COOKIE) },
    errors: {
      400: ['validation_failed'],
      401: ['unauthenticated', 'invalid_code', 'passkey_rejected'],
      403: ['account_disabled'],
      409: ['account_changed'],
      429: ['too_many_requests'],
    },
  });
}
