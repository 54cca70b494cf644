import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import {
  CancelEmailChangeRequestSchema,
  CancelEmailChangeResponseSchema,
  ChangeEmailRequestSchema,
  ChangeEmailResponseSchema,
  ResendVerificationResponseSchema,
  VerifyEmailRequestSchema,
  VerifyEmailResponseSchema,
} from '@gatehouse/types/email';
import { addOperation, json, jsonBody, SETS_SESSION_COOKIE } from './operations';

const VerifyEmailRequest = VerifyEmailRequestSchema.meta({ id: 'VerifyEmailRequest' });
const VerifyEmailResponse = VerifyEmailResponseSchema.meta({ id: 'VerifyEmailResponse' });
const ResendVerificationResponse = ResendVerificationResponseSchema.meta({ id: 'ResendVerificationResponse' });
const ChangeEmailRequest = ChangeEmailRequestSchema.meta({ id: 'ChangeEmailRequest' });
const ChangeEmailResponse = ChangeEmailResponseSchema.meta({ id: 'ChangeEmailResponse' });
const CancelEmailChangeRequest = CancelEmailChangeRequestSchema.meta({ id: 'CancelEmailChangeRequest' });
const CancelEmailChangeResponse = CancelEmailChangeResponseSchema.meta({ id: 'CancelEmailChangeResponse' });

/** verification/router.ts: confirming an address, and changing it. */
export function describeEmail(api: OpenAPIRegistry): void {
  addOperation(api, {
    method: 'post',
    path: '/api/auth/email/verify',
    tags: ['Email'],
    summary: 'Follow a link from a verification mail',
    description:
      'After registration it confirms the address and signs this browser in (sign-in method `email_link`); after a change of address it applies the new address. A used, expired or superseded link is `invalid_token`.',
    access: 'public',
    request: { body: jsonBody(VerifyEmailRequest) },
    responses: { 200: json('Confirmed (`verified`) or changed (`email_changed`).', VerifyEmailResponse, SETS_SESSION_COOKIE) },
    errors: { 400: ['validation_failed', 'invalid_token'], 403: ['account_disabled'], 409: ['email_taken', 'account_changed'], 429: ['too_many_requests'] },
  });
  addOperation(api, {
    method: 'post',
    path: '/api/auth/email/verification',
    tags: ['Email'],
    summary: 'Send a new verification link',
    description: "To the signed-in account's address; links sent before it stop working. Takes no body.",
    access: 'signed-in',
    responses: {
      200: json('The address is already confirmed: nothing was sent.', ResendVerificationResponse),
      202: json('A new link is on its way.', ResendVerificationResponse),
    },
    errors: { 429: ['too_many_requests'], 503: ['mail_unavailable'] },
  });
  addOperation(api, {
    method: 'post',
    path: '/api/auth/email/change',
    tags: ['Email'],
    summary: 'Change the address',
    description:
      "Needs a recent password proof. The new address applies only once the link mailed to it is followed; if another account has it, that account's owner is told instead, and the answer here is the same. The current address is mailed at once either way, with a link to call the change off (`POST /api/auth/email/change/cancel`).",
    access: 'signed-in',
    request: { body: jsonBody(ChangeEmailRequest) },
    responses: { 202: json('A link is on its way to the new address.', ChangeEmailResponse) },
    errors: { 400: ['validation_failed'], 403: ['reauth_required'], 429: ['too_many_requests'], 503: ['mail_unavailable'] },
  });
  addOperation(api, {
    method: 'post',
    path: '/api/auth/email/change/cancel',
    tags: ['Email'],
    summary: 'Call off a change of address',
    description:
      'Follows the link mailed to the current address when a change was asked for: the link to the new address stops working. No session needed (the mailbox is the proof). A used, expired or superseded link, or one for a change that already applied, is `invalid_token`.',
    access: 'public',
    request: { body: jsonBody(CancelEmailChangeRequest) },
    responses: { 200: json('The change was called off.', CancelEmailChangeResponse) },
    errors: { 400: ['validation_failed', 'invalid_token'], 429: ['too_many_requests'] },
  });
}
