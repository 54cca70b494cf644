import { Validator } from '@seriousme/openapi-schema-validator';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeTable } from '../http/route-table';
import { createTestApp } from '../test/test-app';
import type { TestApp } from '../test/test-app';
import { testConfig } from '../test/test-config';

interface Document {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
  components: { securitySchemes: Record<string, { name?: string }>; schemas: Record<string, unknown> };
}

const OPERATION_KEYS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** `METHOD /path/{param}` for every operation of the document. */
function documentedOperations(document: Document): string[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((key) => OPERATION_KEYS.has(key))
      .map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/** `METHOD /path/{param}` for every route Express serves under /api, read from its router stack. */
function servedOperations(t: TestApp): string[] {
  return routeTable(t.app)
    .filter((route) => route.path === '/api' || route.path.startsWith('/api/'))
    .flatMap((route) => route.methods.map((method) => `${method} ${route.path.replace(/:(\w+)/g, '{$1}')}`));
}

async function servedDocument(t: TestApp): Promise<Document> {
  const res = await supertest(t.app).get('/api/openapi.json');
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  return res.body as Document;
}

/** What differs in production for the routes: no reference page, no mail outbox, the __Host- cookie. */
const productionOverrides = () => ({
  env: 'production' as const,
  isProduction: true,
  cookieName: '__Host-gh.sid',
  mail: { ...testConfig().mail, outboxDir: null },
});

describe.each([
  ['development and tests', () => ({})],
  ['production', productionOverrides],
])('GET /api/openapi.json (%s)', (_name, overrides) => {
  let t: TestApp;
  let document: Document;
  beforeAll(async () => {
    t = await createTestApp(overrides());
    document = await servedDocument(t);
  });
  afterAll(() => t.close());

  it('describes every route the app serves, and no route it does not serve', () => {
    const served = servedOperations(t).sort();
    const documented = documentedOperations(document).sort();
    // Both directions are listed so a failure names the route to document (or the entry to remove).
    expect({ undocumented: served.filter((op) => !documented.includes(op)), notServed: documented.filter((op) => !served.includes(op)) }).toEqual({
      undocumented: [],
      notServed: [],
    });
    expect(served.length).toBeGreaterThan(20);
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(document.openapi).toMatch(/^3\.1\./);
    const result = await new Validator().validate(document as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('names the session cookie this configuration sets, and the error shape every failure uses', () => {
    expect(document.components.securitySchemes.sessionCookie?.name).toBe(t.config.cookieName);
    expect(document.components.schemas).toHaveProperty('Error');
    const login = document.paths['/api/auth/login']?.post as { responses: Record<string, { headers?: Record<string, unknown> }> };
    expect(Object.keys(login.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '415', '429', '503']));
    expect(login.responses['429']?.headers).toHaveProperty('Retry-After');
  });
});

describe('GET /api/docs, the interactive reference', () => {
  it('is served in development and tests, under a policy of its own that still allows scripts from this origin only', async () => {
    const t = await createTestApp();
    try {
      const page = await supertest(t.app).get('/api/docs');
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.text).toContain('data-url="/api/openapi.json"');
      const csp = String(page.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self';");
      expect(csp).not.toMatch(/script-src[^;]*(unsafe|https?:)/);
      const script = await supertest(t.app).get('/api/docs/assets/standalone.js');
      expect(script.status).toBe(200);
      expect(script.headers['content-type']).toMatch(/javascript/);
      // The relaxed style policy stays on this one page: other API answers allow nothing at all.
      const elsewhere = String((await supertest(t.app).get('/api/health')).headers['content-security-policy']);
      expect(elsewhere).toBe("default-src 'none'; frame-ancestors 'none'");
    } finally {
      await t.close();
    }
  });

  it('answers 404 in production, page and script alike (and so does the mail outbox)', async () => {
    const t = await createTestApp(productionOverrides());
    try {
      for (const path of ['/api/docs', '/api/docs/assets/standalone.js', '/api/dev/outbox']) {
        const res = await supertest(t.app).get(path);
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ error: { code: 'not_found', message: 'Not found.' } });
      }
    } finally {
      await t.close();
    }
  });
});
