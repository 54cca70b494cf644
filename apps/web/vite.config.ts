import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `npm run dev` sets both: the API on PORT (default 3000) and this server on WEB_PORT (default PORT + 2173,
// so 5173 beside 3000); the API allows this server's origin for exactly that port.
const apiOrigin = `http://localhost:${process.env.PORT || 3000}`;
const webPort = Number(process.env.WEB_PORT || 5173);

export default defineConfig({
  plugins: [react()],
  server: {
    port: webPort,
    strictPort: true,
    proxy: {
      '/api': {
        target: apiOrigin,
        ws: false,
        // Host stays this server's so the API's same-origin check sees the page's own origin.
        changeOrigin: false,
        configure(proxy) {
          // The live stream must reach the browser event by event: ask for an uncompressed body,
          // since a compressing hop would hold events back until its buffer fills.
          proxy.on('proxyReq', (proxyReq, req) => {
            if (req.url?.startsWith('/api/events')) proxyReq.setHeader('accept-encoding', 'identity');
          });
          proxy.on('proxyRes', (proxyRes) => {
            if (proxyRes.headers['content-type']?.startsWith('text/event-stream')) {
              proxyRes.headers['cache-control'] = 'no-cache, no-transform';
              proxyRes.headers['x-accel-buffering'] = 'no';
            }
          });
        },
      },
    },
  },
  preview: { port: 4173, proxy: { '/api': { target: apiOrigin, ws: false } } },
  build: {
    outDir: 'dist',
    sourcemap: false,
    target: 'es2022',
    // scripts/measure-bundle.ts reads it to check the per-route budget.
    manifest: true,
    // Browsers without modulepreload still load every chunk, just without the head start.
    modulePreload: { polyfill: false },
    rolldownOptions: {
      output: {
        // Code several pages share goes in two chunks, the libraries and our own shared modules, rather
        // than one small chunk per combination of pages: each extra chunk costs its own gzip window and
        // import glue, more than the few hundred bytes a page would skip (scripts/measure-bundle.ts).
        codeSplitting: {
          groups: [
            // Second factors and passkeys (QR codes, WebAuthn) and the password strength meter (zxcvbn and its
            // dictionaries) load only where they are used, so their libraries and modules stay out of the
            // chunks every page needs.
            { name: 'vendor', test: /node_modules[\\/](?!@simplewebauthn[\\/]|qrcode\.react[\\/]|@zxcvbn-ts[\\/]|fastest-levenshtein[\\/])/ },
            // What only the signed-out pages (sign-in, registration, links from mail) use stays off the dashboard.
            {
              name: 'signed-out',
              test: /[\\/]src[\\/]features[\\/]auth[\\/](use-auth-success|guest-form-checks)\.ts$/,
              minShareCount: 2,
              includeDependenciesRecursively: false,
            },
            // What only the pages opened from mail share stays out of every other page: these modules alone,
            // not what they import (that is in `common`, which never imports them back).
            {
              name: 'mail-links',
              test: /[\\/]src[\\/](features[\\/](recovery|verification)[\\/]|messages[\\/]recovery\.ts)/,
              minShareCount: 2,
              includeDependenciesRecursively: false,
            },
            // Provider sign-in and connected accounts (features/oidc) stay out too: they load after the page;
            // so do the choice of a session to end at the session cap (features/session-limit) and the fields
            // that set a password (features/passwords), which no first page shows.
            {
              name: 'common',
              test: /[\\/]src[\\/](?!features[\\/](second-factor|passkeys|oidc|session-limit|passwords)[\\/]|messages[\\/](second-factor|passkeys|oidc|session-limit|passwords)\.ts).*\.tsx?$/,
              minShareCount: 2,
            },
          ],
        },
      },
    },
  },
});
