import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import {
  AddPasskeyRequestSchema,
  PasskeyAuthenticationOptionsResponseSchema,
  PasskeyListResponseSchema,
  PasskeyLoginRequestSchema,
  PasskeyLoginResponseSchema,
  PasskeyParamsSchema,
  PasskeyReauthRequestSchema,
  PasskeyReauthResponseSchema,
  PasskeyRegistrationOptionsResponseSchema,
  PasskeyResponseSchema,
  RenamePasskeyRequestSchema,
} from '@gatehouse/types/passkeys';
import { addOperation, json, jsonBody, SETS_SESSION_COOKIE } from './operations';

const PasskeyListResponse = PasskeyListResponseSchema.meta({ id: 'PasskeyListResponse' });
const PasskeyRegistrationOptionsResponse = PasskeyRegistrationOptionsResponseSchema.meta({ id: 'PasskeyRegistrationOptionsResponse' });
const AddPasskeyRequest = AddPasskeyRequestSchema.meta({ id: 'AddPasskeyRequest' });
const PasskeyResponse = PasskeyResponseSchema.meta({ id: 'PasskeyResponse' });
const RenamePasskeyRequest = RenamePasskeyRequestSchema.meta({ id: 'RenamePasskeyRequest' });
const PasskeyAuthenticationOptionsResponse = PasskeyAuthenticationOptionsResponseSchema.meta({ id: 'PasskeyAuthenticationOptionsResponse' });
const PasskeyLoginRequest = PasskeyLoginRequestSchema.meta({ id: 'PasskeyLoginRequest' });
const PasskeyLoginResponse = PasskeyLoginResponseSchema.meta({ id: 'PasskeyLoginResponse' });
const PasskeyReauthRequest = PasskeyReauthRequestSchema.meta({ id: 'PasskeyReauthRequest' });
const PasskeyReauthResponse = PasskeyReauthResponseSchema.meta({ id: 'PasskeyReauthResponse' });

const FRESH_PROOF = 'Needs a recent proof (`POST /api/auth/reauth` or `/api/auth/passkey/reauth`).';
const REJECTED = 'A response that does not verify (origin, RP ID, unknown or reused challenge, counter, signature) is `passkey_rejected`.';

/** passkeys/account-router.ts and passkeys/sign-in-router.ts: WebAuthn credentials of the account, and signing in with them. */
export function describePasskeys(api: OpenAPIRegistry): void {
  addOperation(api, {
    method: 'get',
    path: '/api/account/passkeys',
    tags: ['Passkeys'],
    summary: "The account's passkeys",
    access: 'signed-in',
    responses: { 200: json('The passkeys, with names and when each was last used.', PasskeyListResponse) },
  });
  addOperation(api, {
    method: 'post',
    path: '/api/account/passkeys/options',
    tags: ['Passkeys'],
    summary: 'Options for creating a passkey',
    description: `The input of \`navigator.credentials.create()\`, with a single-use challenge. Takes no body. ${FRESH_PROOF}`,
    access: 'signed-in',
    responses: { 200: json('The creation options (WebAuthn Level 3 JSON).', PasskeyRegistrationOptionsResponse) },
    errors: { 403: ['reauth_required'] },
  });
  addOperation(api, {
    method: 'post',
    path: '/api/account/passkeys',
    tags: ['Passkeys'],
    summary: 'Add a passkey',
    description: `What \`navigator.credentials.create()\` gave, with a name. ${REJECTED} ${FRESH_PROOF}`,
    access: 'signed-in',
    request: { body: jsonBody(AddPasskeyRequest) },
    responses: { 201: json('Added.', PasskeyResponse) },
    errors: { 400: ['validation_failed'], 401: ['passkey_rejected'], 403: ['reauth_required'], 409: ['passkey_rejected'] },
  });
  addOperation(api, {
    method: 'patch',
    path: '/api/account/passkeys/{id}',
    tags: ['Passkeys'],
    summary: 'Rename a passkey',
    access: 'signed-in',
    request: { params: PasskeyParamsSchema, body: jsonBody(RenamePasskeyRequest) },
    responses: { 200: json('Renamed.', PasskeyResponse) },
    errors: { 400: ['validation_failed'], 404: ['not_found'] },
  });
  addOperation(api, {
    method: 'delete',
    path: '/api/account/passkeys/{id}',
    tags: ['Passkeys'],
    summary: 'Remove a passkey',
    description: FRESH_PROOF,
    access: 'signed-in',
    request: { params: PasskeyParamsSchema },
    responses: { 204: { description: 'Removed.' } },
    errors: { 400: ['validation_failed'], 403: ['reauth_required'], 404: ['not_found'] },
  });

  addOperation(api, {
    method: 'post',
    path: '/api/auth/passkey/options',
    tags: ['Passkeys'],
    summary: 'Options for signing in with a passkey',
    description:
      'The input of `navigator.credentials.get()` for a discoverable passkey, with a single-use challenge. Takes no body; challenges per IP are limited.',
    access: 'public',
    responses: { 200: json('The request options.', PasskeyAuthenticationOptionsResponse) },
    errors: { 429: ['too_many_requests'] },
  });
  addOperation(api, {
    method: 'post',
    path: '/api/auth/passkey',
    tags: ['Passkeys'],
    summary: 'Sign in with a passkey',
    description: `Passwordless: the passkey names its account. Starts a new session like a password sign-in. ${REJECTED}`,
    access: 'public',
    request: { body: jsonBody(PasskeyLoginRequest) },
    responses: { 200: json('Signed in.', PasskeyLoginResponse, SETS_SESSION_COOKIE) },
    errors: { 400: ['validation_failed'], 401: ['passkey_rejected'], 403: ['account_disabled'], 409: ['account_changed'], 429: ['too_many_requests'] },
  });
  addOperation(api, {
    method: 'post',
    path: '/api/auth/passkey/reauth/options',
    tags: ['Passkeys'],
    summary: 'Options for confirming with a passkey (sudo mode)',
    description: "Lists only this account's passkeys. Takes no body.",
    access: 'signed-in',
    responses: { 200: json('The request options.', PasskeyAuthenticationOptionsResponse) },
    errors: { 401: ['passkey_rejected'] },
  });
  addOperation(api, {
    method: 'post',
    path: '/api/auth/passkey/reauth',
    tags: ['Passkeys'],
    summary: 'Confirm with a passkey instead of the password (sudo mode)',
    description: `As \`POST /api/auth/reauth\`: the proof is fresh again and the session moves to a new id. ${REJECTED}`,
    access: 'signed-in',
    request: { body: jsonBody(PasskeyReauthRequest) },
    responses: { 200: json('Confirmed.', PasskeyReauthResponse, SETS_SESSION_COOKIE) },
    errors: { 400: ['validation_failed'], 401: ['passkey_rejected'], 403: ['account_disabled'], 409: ['account_changed'] },
  });
}
