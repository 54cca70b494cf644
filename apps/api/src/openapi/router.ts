import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import express from 'express';
import type { Router } from 'express';
import type { Config } from '../config';
import { createOpenApiDocument } from './document';
import { DOCS_PATH, OPENAPI_PATH } from './reference';

const ASSETS_PATH = `${DOCS_PATH}/assets`;

/**
 * The reference page's renderer (Scalar) injects its styles at run time, so this page alone allows inline
 * styles; scripts stay 'self' only, and every request it makes goes to this origin.
 */
const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SCALAR_CONFIGURATION = {
  url: OPENAPI_PATH,
  // Nothing leaves this origin: no web fonts, no usage reports, no AI assistant (it would send the document away).
  withDefaultFonts: false,
  telemetry: false,
  showDeveloperTools: 'never',
  agent: { disabled: true },
};

function escapeAttribute(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');
}

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Gatehouse API reference</title>
    <link rel="icon" href="data:," />
  </head>
  <body>
    <script id="api-reference" data-url="${OPENAPI_PATH}" data-configuration="${escapeAttribute(JSON.stringify(SCALAR_CONFIGURATION))}"></script>
    <script src="${ASSETS_PATH}/standalone.js"></script>
  </body>
</html>
`;

/** Scalar's self-contained browser build, from the npm package (a development dependency). */
function scalarBrowserDir(): string | null {
  try {
    const entry = createRequire(import.meta.url).resolve('@scalar/api-reference');
    const dir = join(dirname(entry), 'browser');
    return existsSync(join(dir, 'standalone.js')) ? dir : null;
  } catch {
    return null;
  }
}

/**
 * Added to the API router (mounted at /api): the OpenAPI document, built once on first request, and
 * outside production the interactive reference page that renders it. Production answers 404 for the
 * page, like any unknown path. Routes of the API router itself, not a router of their own, so other
 * requests pass them by with a path test rather than entering and leaving another router.
 */
export function addApiReferenceRoutes(router: Router, { config }: { config: Pick<Config, 'cookieName' | 'isProduction' | 'mail'> }): void {
  const relative = (path: string) => path.slice('/api'.length);
  const assets = config.isProduction ? null : scalarBrowserDir();
  let document: string | undefined;

  router.get(relative(OPENAPI_PATH), (_req, res) => {
    // The outbox is mounted exactly when it exists (app.ts), which is outside production.
    const hasDevOutbox = config.mail.outboxDir !== null;
    document ??= JSON.stringify(createOpenApiDocument({ cookieName: config.cookieName, hasDocsPage: assets !== null, hasDevOutbox }));
    res.type('application/json').send(document);
  });

  if (assets === null) return;
  router.use(relative(ASSETS_PATH), express.static(assets, { index: false }));
  router.get(relative(DOCS_PATH), (_req, res) => {
    res.set('Content-Security-Policy', DOCS_CSP).type('html').send(PAGE);
  });
}
