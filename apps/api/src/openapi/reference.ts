import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { addOperation } from './operations';

export const OPENAPI_PATH = '/api/openapi.json';
export const DOCS_PATH = '/api/docs';

/** openapi/router.ts: this document and, outside production, the page that renders it. */
export function describeReference(api: OpenAPIRegistry, { hasDocsPage }: { hasDocsPage: boolean }): void {
  addOperation(api, {
    method: 'get',
    path: OPENAPI_PATH,
    tags: ['Reference'],
    summary: 'This OpenAPI document',
    description: 'Generated at start-up from the zod contracts the server validates with (`packages/types`).',
    access: 'public',
    needsDatabase: false,
    responses: { 200: { description: 'The OpenAPI 3.1 document.', content: { 'application/json': { schema: { type: 'object' } } } } },
  });
  if (!hasDocsPage) return;
  addOperation(api, {
    method: 'get',
    path: DOCS_PATH,
    tags: ['Reference'],
    summary: 'Interactive API reference (development and tests only)',
    description: 'An HTML page rendering this document, with requests you can send from it. Not served in production (404).',
    access: 'public',
    needsDatabase: false,
    responses: { 200: { description: 'The reference page.', content: { 'text/html': { schema: { type: 'string' } } } } },
  });
}
