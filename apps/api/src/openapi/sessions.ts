import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import {
  CurrentSessionResponseSchema,
  ExtendSessionResponseSchema,
  RenameDeviceRequestSchema,
  RenameDeviceResponseSchema,
  RevokeOthersResponseSchema,
  SessionHandleParamsSchema,
  SessionListResponseSchema,
} from '@gatehouse/types/sessions';
import { addOperation, json, jsonBody } from './operations';

const SessionListResponse = SessionListResponseSchema.meta({ id: 'SessionListResponse' });
const CurrentSessionResponse = CurrentSessionResponseSchema.meta({ id: 'CurrentSessionResponse' });
const ExtendSessionResponse = ExtendSessionResponseSchema.meta({ id: 'ExtendSessionResponse' });
const RevokeOthersResponse = RevokeOthersResponseSchema.meta({ id: 'RevokeOthersResponse' });
const RenameDeviceRequest = RenameDeviceRequestSchema.meta({ id: 'RenameDeviceRequest' });
const RenameDeviceResponse = RenameDeviceResponseSchema.meta({ id: 'RenameDeviceResponse' });

/** sessions/router.ts: the signed-in person's own sessions. */
export function describeSessions(api: OpenAPIRegistry): void {
  addOperation(api, {
    method: 'get',
    path: '/api/sessions',
    tags: ['Sessions'],
    summary: 'Every session of the account',
    description: 'Each with its device, address, deadlines and an opaque `handle` that names it in URLs without revealing its id.',
    access: 'signed-in',
    responses: { 200: json('The sessions, this one marked `isCurrent`.', SessionListResponse) },
  });
  addOperation(api, {
    method: 'get',
    path: '/api/sessions/current',
    tags: ['Sessions'],
    summary: 'This session in detail',
    description:
      'The stored session data (secrets masked) and what the browser was told about the cookie, next to the server settings, with the mismatches people run into (`warnings`).',
    access: 'signed-in',
    responses: { 200: json('This session.', CurrentSessionResponse) },
  });
  addOperation(api, {
    method: 'post',
    path: '/api/sessions/current/extend',
    tags: ['Sessions'],
    summary: 'Stay signed in',
    description: 'Moves the idle deadline back; never the absolute one. Takes no body.',
    access: 'signed-in',
    responses: { 200: json('The session with its new idle deadline.', ExtendSessionResponse) },
  });
  addOperation(api, {
    method: 'post',
    path: '/api/sessions/revoke-others',
    tags: ['Sessions'],
    summary: 'Sign out everywhere else',
    description: 'Ends every other session of the account, on every instance; their open tabs hear it at once. Needs a recent password proof. Takes no body.',
    access: 'signed-in',
    responses: { 200: json('How many sessions ended.', RevokeOthersResponse) },
    errors: { 403: ['reauth_required'] },
  });
  addOperation(api, {
    method: 'patch',
    path: '/api/sessions/{handle}',
    tags: ['Sessions'],
    summary: 'Name the browser a session runs in',
    description: '`null` or an empty name removes the name. The name belongs to the browser, so every session of that browser shows it.',
    access: 'signed-in',
    request: { params: SessionHandleParamsSchema, body: jsonBody(RenameDeviceRequest) },
    responses: { 200: json('The session with its new name.', RenameDeviceResponse) },
    errors: { 400: ['validation_failed'], 404: ['not_found'] },
  });
  addOperation(api, {
    method: 'delete',
    path: '/api/sessions/{handle}',
    tags: ['Sessions'],
    summary: 'End one session',
    description: 'Ends a session of the account on every instance. Ending this very session is signing out (the cookie is cleared).',
    access: 'signed-in',
    request: { params: SessionHandleParamsSchema },
    responses: { 204: { description: 'Ended.' } },
    errors: { 400: ['validation_failed'], 404: ['not_found'] },
  });
}
