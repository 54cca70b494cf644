import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { ActivityListResponseSchema } from '@gatehouse/types/activity';
import { addOperation, json } from './operations';

const ActivityListResponse = ActivityListResponseSchema.meta({ id: 'ActivityListResponse' });

/** activity/router.ts. */
export function describeActivity(api: OpenAPIRegistry): void {
  addOperation(api, {
    method: 'get',
    path: '/api/activity',
    tags: ['Activity'],
    summary: 'Recent activity of the account',
    description: 'Sign-ins, failed sign-ins, revocations, password changes and reuse of a revoked cookie (marked `isSuspicious`), newest first.',
    access: 'signed-in',
    responses: { 200: json('The most recent events.', ActivityListResponse) },
  });
}
