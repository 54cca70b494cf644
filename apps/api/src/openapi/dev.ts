import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { OutboxListResponseSchema, OutboxMessageParamsSchema, OutboxMessageSchema } from '@gatehouse/types/dev';
import { addOperation, json } from './operations';

const OutboxListResponse = OutboxListResponseSchema.meta({ id: 'OutboxListResponse' });
const OutboxMessage = OutboxMessageSchema.meta({ id: 'OutboxMessage' });

const DEV_ONLY =
  'Development and tests only (not served in production, nor when the server listens beyond loopback), and only to clients on this machine (others get 404).';

/** mail/dev-router.ts: the mail the server "sent", kept in its data directory. */
export function describeDevOutbox(api: OpenAPIRegistry): void {
  addOperation(api, {
    method: 'get',
    path: '/api/dev/outbox',
    tags: ['Development'],
    summary: 'The dev outbox: every message sent',
    description: DEV_ONLY,
    access: 'public',
    needsDatabase: false,
    responses: { 200: json('The messages, newest first.', OutboxListResponse) },
    errors: { 404: ['not_found'] },
  });
  addOperation(api, {
    method: 'get',
    path: '/api/dev/outbox/{id}',
    tags: ['Development'],
    summary: 'One message of the dev outbox',
    description: DEV_ONLY,
    access: 'public',
    needsDatabase: false,
    request: { params: OutboxMessageParamsSchema },
    responses: { 200: json('The message.', OutboxMessage) },
    errors: { 400: ['validation_failed'], 404: ['not_found'] },
  });
  addOperation(api, {
    method: 'get',
    path: '/api/dev/outbox/{id}/html',
    tags: ['Development'],
    summary: 'One message as the HTML its recipient would see',
    description: DEV_ONLY,
    access: 'public',
    needsDatabase: false,
    request: { params: OutboxMessageParamsSchema },
    responses: { 200: { description: 'The HTML part.', content: { 'text/html': { schema: { type: 'string' } } } } },
    errors: { 400: ['validation_failed'], 404: ['not_found'] },
  });
}
