import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import {
  ACTIVITY_EXPORT_COLUMNS,
  ActivityExportEntrySchema,
  ActivityExportQuerySchema,
  ActivityListResponseSchema,
  AdminActivityExportQuerySchema,
} from '@gatehouse/types/activity';
import type { ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { addOperation, json } from './operations';

const ActivityListResponse = ActivityListResponseSchema.meta({ id: 'ActivityListResponse' });
const ActivityExportEntry = ActivityExportEntrySchema.meta({ id: 'ActivityExportEntry' });

/** Streamed, oldest first: NDJSON (one ActivityExportEntry a line) or CSV with a header line. */
const exportResponse = (whose: string): ResponseConfig => ({
  description: `${whose}, oldest first, streamed as it is read (\`Content-Disposition: attachment\`).`,
  content: {
    'application/x-ndjson': { schema: ActivityExportEntry },
    'text/csv': {
      schema: {
        type: 'string',
        description: `Header line \`${ACTIVITY_EXPORT_COLUMNS.join(',')}\`; nested values as JSON; cells starting with = + - @ are prefixed with ' (formula injection).`,
      },
    },
  },
});

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
  addOperation(api, {
    method: 'get',
    path: '/api/activity/export',
    tags: ['Activity'],
    summary: 'Export the account’s whole activity',
    description: 'Every entry of the account still within `ACTIVITY_RETENTION_DAYS`, with its place (`seq`) and `hash` in the tamper-evident chain.',
    access: 'signed-in',
    request: { query: ActivityExportQuerySchema },
    responses: { 200: exportResponse('The account’s activity') },
    errors: { 400: ['validation_failed'] },
  });
  addOperation(api, {
    method: 'get',
    path: '/api/admin/activity/export',
    tags: ['Admin'],
    summary: 'Export every account’s activity',
    description:
      'With each entry’s `userId` (absent once anonymised). `from`: from that day or moment on; `to`: through that day, or before that moment; `email`: one account (an unknown address gives an empty export).',
    access: 'admin',
    request: { query: AdminActivityExportQuerySchema },
    responses: { 200: exportResponse('Every account’s activity') },
    errors: { 400: ['validation_failed'] },
  });
}
