import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import {
  AdminRevokeUserSessionsResponseSchema,
  AdminSendResetLinkResponseSchema,
  AdminSessionListResponseSchema,
  AdminSessionsQuerySchema,
  AdminSetRoleRequestSchema,
  AdminUserListResponseSchema,
  AdminUserParamsSchema,
  AdminUserResponseSchema,
  StoreHealthResponseSchema,
} from '@gatehouse/types/admin';
import { SessionHandleParamsSchema } from '@gatehouse/types/sessions';
import { addOperation, json, jsonBody } from './operations';

const AdminSessionListResponse = AdminSessionListResponseSchema.meta({ id: 'AdminSessionListResponse' });
const AdminUserListResponse = AdminUserListResponseSchema.meta({ id: 'AdminUserListResponse' });
const AdminUserResponse = AdminUserResponseSchema.meta({ id: 'AdminUserResponse' });
const AdminSetRoleRequest = AdminSetRoleRequestSchema.meta({ id: 'AdminSetRoleRequest' });
const AdminRevokeUserSessionsResponse = AdminRevokeUserSessionsResponseSchema.meta({ id: 'AdminRevokeUserSessionsResponse' });
const StoreHealthResponse = StoreHealthResponseSchema.meta({ id: 'StoreHealthResponse' });
const AdminSendResetLinkResponse = AdminSendResetLinkResponseSchema.meta({ id: 'AdminSendResetLinkResponse' });

const FRESH_PROOF = 'Needs a recent password proof (`POST /api/auth/reauth`).';

/** admin/router.ts: every operation needs the admin role; every change also a recent password proof. */
export function describeAdmin(api: OpenAPIRegistry): void {
  addOperation(api, {
    method: 'get',
    path: '/api/admin/sessions',
    tags: ['Admin'],
    summary: 'All sessions, page by page',
    access: 'admin',
    request: { query: AdminSessionsQuerySchema },
    responses: { 200: json('One page of sessions with their owners.', AdminSessionListResponse) },
    errors: { 400: ['validation_failed'] },
  });
  addOperation(api, {
    method: 'delete',
    path: '/api/admin/sessions/{handle}',
    tags: ['Admin'],
    summary: 'End any session',
    description: `Ends it on every instance; the owner sees "revoked by an administrator". ${FRESH_PROOF}`,
    access: 'admin',
    request: { params: SessionHandleParamsSchema },
    responses: { 204: { description: 'Ended.' } },
    errors: { 400: ['validation_failed'], 403: ['reauth_required'], 404: ['not_found'] },
  });
  addOperation(api, {
    method: 'get',
    path: '/api/admin/users',
    tags: ['Admin'],
    summary: 'All accounts',
    access: 'admin',
    responses: { 200: json('Every account with its number of sessions.', AdminUserListResponse) },
  });
  addOperation(api, {
    method: 'delete',
    path: '/api/admin/users/{id}/sessions',
    tags: ['Admin'],
    summary: 'End every session of an account',
    description: `The administrator's own current session is spared. ${FRESH_PROOF}`,
    access: 'admin',
    request: { params: AdminUserParamsSchema },
    responses: { 200: json('How many sessions ended.', AdminRevokeUserSessionsResponse) },
    errors: { 400: ['validation_failed'], 403: ['reauth_required'], 404: ['not_found'] },
  });
  for (const [action, summary, description] of [
    ['disable', 'Disable an account', "Ends its sessions everywhere and refuses its sign-ins. Not one's own account."],
    ['enable', 'Enable an account again', 'It may sign in again; ended sessions stay ended.'],
  ] as const) {
    addOperation(api, {
      method: 'post',
      path: `/api/admin/users/{id}/${action}`,
      tags: ['Admin'],
      summary,
      description: `${description} Takes no body. ${FRESH_PROOF}`,
      access: 'admin',
      request: { params: AdminUserParamsSchema },
      responses: { 200: json('The account as it is now.', AdminUserResponse) },
      errors: { 400: ['validation_failed'], 403: ['reauth_required'], 404: ['not_found'] },
    });
  }
  addOperation(api, {
    method: 'post',
    path: '/api/admin/users/{id}/role',
    tags: ['Admin'],
    summary: 'Change the role of an account',
    description: `Applies on that person's next request on every instance, without signing them out. Not one's own account. ${FRESH_PROOF}`,
    access: 'admin',
    request: { params: AdminUserParamsSchema, body: jsonBody(AdminSetRoleRequest) },
    responses: { 200: json('The account as it is now.', AdminUserResponse) },
    errors: { 400: ['validation_failed'], 403: ['reauth_required'], 404: ['not_found'] },
  });
  addOperation(api, {
    method: 'post',
    path: '/api/admin/users/{id}/password-reset',
    tags: ['Admin'],
    summary: 'Mail an account a password-reset link',
    description: `The administrator never sees the link or a password. Not for a disabled account. Takes no body. ${FRESH_PROOF}`,
    access: 'admin',
    request: { params: AdminUserParamsSchema },
    responses: { 202: json('The link is on its way.', AdminSendResetLinkResponse) },
    errors: {
      400: ['validation_failed'],
      403: ['reauth_required'],
      404: ['not_found'],
      409: ['account_disabled'],
      429: ['too_many_requests'],
      503: ['mail_unavailable'],
    },
  });
  addOperation(api, {
    method: 'get',
    path: '/api/admin/store',
    tags: ['Admin'],
    summary: 'Health of the session store',
    description:
      'Stored, anonymous and expired-but-not-yet-removed sessions, the indexes the store relies on, the heaviest accounts and recent reuse of revoked cookies.',
    access: 'admin',
    responses: { 200: json('The store as it is now.', StoreHealthResponse) },
  });
}
