import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router } from 'express';

/**
 * Serves the built SPA from the API's own origin (no CORS needed) with history fallback: any GET that
 * is not an API call or a file gets index.html so client-side routes survive a reload.
 */
export function createSpaRouter({ webDistDir, isProduction }: { webDistDir: string; isProduction: boolean }): Router {
  const router = Router();
  const indexFile = join(webDistDir, 'index.html');
  // The development pages (the mail outbox) do not exist in production: 404, not the app shell.
  if (isProduction) {
    router.use('/dev', (_req, res) => {
      res.status(404).type('text/plain').send('Not found\n');
    });
  }

  if (!existsSync(indexFile)) {
    router.get(/^(?!\/api(?:\/|$)).*/, (_req, res) => {
      res
        .status(404)
        .type('text/plain')
        .send(
          `The web app is not built (no ${indexFile}).\n` +
            'Build it with `npm run build -w @gatehouse/web`, or run `npm run dev` and open the Vite dev server.\n' +
            'The API itself is up under /api (try /api/health).\n',
        );
    });
    return router;
  }

  // Vite fingerprints everything under assets/, so those files can be cached for good; index.html never.
  router.use('/assets', express.static(join(webDistDir, 'assets'), { immutable: true, maxAge: '1y', index: false }));
  router.use('/assets', (_req, res) => {
    res.status(404).type('text/plain').send('Not found\n');
  });
  router.use(express.static(webDistDir, { index: false, maxAge: 0 }));
  router.get(/^(?!\/api(?:\/|$)).*/, (_req, res) => {
    res.set('Cache-Control', 'no-cache');
    res.sendFile(indexFile);
  });
  return router;
}
