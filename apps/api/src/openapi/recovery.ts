import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import {
  CheckResetTokenRequestSchema,
  CheckResetTokenResponseSchema,
  ForgotPasswordRequestSchema,
  ForgotPasswordResponseSchema,
  ResetPasswordRequestSchema,
  ResetPasswordResponseSchema,
} from '@gatehouse/types/recovery';
import { addOperation, json, jsonBody } from './operations';

const ForgotPasswordRequest = ForgotPasswordRequestSchema.meta({ id: 'ForgotPasswordRequest' });
const ForgotPasswordResponse = ForgotPasswordResponseSchema.meta({ id: 'ForgotPasswordResponse' });
const CheckResetTokenRequest = CheckResetTokenRequestSchema.meta({ id: 'CheckResetTokenRequest' });
const CheckResetTokenResponse = CheckResetTokenResponseSchema.meta({ id: 'CheckResetTokenResponse' });
const ResetPasswordRequest = ResetPasswordRequestSchema.meta({ id: 'ResetPasswordRequest' });
const ResetPasswordResponse = ResetPasswordResponseSchema.meta({ id: 'ResetPasswordResponse' });

const LINK_CHECKS = 'One-time links presented from one address are limited (used or not).';

/** recovery/router.ts: forgotten passwords, through a link mailed to the account's address. */
export function describeRecovery(api: OpenAPIRegistry): void {
  addOperation(api, {
    method: 'post',
    path: '/api/auth/password/forgot',
    tags: ['Recovery'],
    summary: 'Ask for a password-reset link',
    description:
      'Mails a reset link if an account has this address; the answer is the same either way, so it tells nobody whether the address has an account. Mail per address and per IP is limited.',
    access: 'public',
    request: { body: jsonBody(ForgotPasswordRequest) },
    responses: { 202: json('Accepted: a link is on its way if the address has an account.', ForgotPasswordResponse) },
    errors: { 400: ['validation_failed'], 429: ['too_many_requests'], 503: ['mail_unavailable'] },
  });
  addOperation(api, {
    method: 'post',
    path: '/api/auth/password/reset/check',
    tags: ['Recovery'],
    summary: 'Whether a reset link still works',
    description: `Before the person types a new password. A used, expired or superseded link is \`invalid_token\`. ${LINK_CHECKS}`,
    access: 'public',
    request: { body: jsonBody(CheckResetTokenRequest) },
    responses: { 200: json('The link works: for this address, until `expiresAt`.', CheckResetTokenResponse) },
    errors: { 400: ['validation_failed', 'invalid_token'], 429: ['too_many_requests'] },
  });
  addOperation(api, {
    method: 'post',
    path: '/api/auth/password/reset',
    tags: ['Recovery'],
    summary: 'Set a new password with a reset link',
    description: `Uses the link up, sets the password (same policy as registration, a breached password refused with \`password_breached\` before the link is used) and ends every session of the account, this browser's too; nobody is signed in. ${LINK_CHECKS}`,
    access: 'public',
    request: { body: jsonBody(ResetPasswordRequest) },
    responses: { 200: json('The password is changed.', ResetPasswordResponse) },
    errors: { 400: ['validation_failed', 'invalid_token', 'password_breached'], 429: ['too_many_requests'] },
  });
}
